/// Where a bridge in ``DeliveryMode/hooks`` puts the messages it would have pushed.
public protocol InboundSink: Sendable {
    /// Keeps `message` for the next hook; a failure is reported to the caller, which says so.
    func accept(_ message: InboundMessage) throws
    /// The messages hooks handed to the model since the last call, to report as injected.
    func takeInjected() throws -> [InboundReceipt]
}
