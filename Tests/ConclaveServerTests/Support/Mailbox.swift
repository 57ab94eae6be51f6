import ConclaveProtocol

/// Frames received by a test peer, awaited one at a time with a timeout.
actor Mailbox {
    private var frames: [ProtocolMessage] = []
    private var closed = false
    private var waiter: CheckedContinuation<ProtocolMessage?, Never>?

    func deliver(_ frame: ProtocolMessage) {
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: frame)
        } else {
            frames.append(frame)
        }
    }

    /// Whether the connection closed (frames received before that may still be waiting).
    var isClosed: Bool { closed }

    func close() {
        closed = true
        waiter?.resume(returning: nil)
        waiter = nil
    }

    /// The next frame, or `nil` if the connection closed or nothing came within `timeout`.
    func next(within timeout: Duration) async -> ProtocolMessage? {
        if !frames.isEmpty { return frames.removeFirst() }
        if closed { return nil }
        return await withTaskGroup(of: Void.self) { group in
            group.addTask { [weak self] in
                try? await Task.sleep(for: timeout)
                await self?.expire()
            }
            let frame = await withCheckedContinuation { self.waiter = $0 }
            group.cancelAll()
            return frame
        }
    }

    private func expire() {
        waiter?.resume(returning: nil)
        waiter = nil
    }
}
