import ArgumentParser
import ConclaveProtocol
import ConclaveTransport

/// Scenario 7: a 500-message `ReadSince` page from a large history, and post throughput when
/// every post is persisted and acknowledged.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "ReadSince pages and persisted post throughput.")

    @Option var url: String
    @Option(help: "Posts to write first (each acknowledged, so persisted).") var posts = 20_000
    @Option(help: "Posts in flight before waiting for acknowledgements.") var window = 64
    @Option var reads = 200

    func run() async throws {
        let fleet = try await Fleet.register(url: url, username: "hist\(UInt32.random(in: 0...UInt32.max))")
        let channel = "history"
        _ = try await fleet.client("setup").request(.admin(.createChannel(name: channel, visibility: .public)))
        let posts = posts
        let window = window
        let reads = reads
        let (postsPerSecond, pageSize, readP50, readP99) = try await fleet.client("writer").withSession { session -> (Int, Int, Double, Double) in
            _ = try await session.request(.join(channel: channel, token: nil))
            let frame = ByteBufferFrame(.channelMessage(channel: channel, from: session.path, payload: .plain(Fleet.body("history", size: 200))))
            let started = ContinuousClock.now
            try await Fleet.post(frame, count: posts, window: window, on: &session)
            let postSeconds = Report.seconds(started.duration(to: .now))
            let postSecondsOrOne = posts == 0 ? 1 : postSeconds
            var latencies: [Double] = []
            var pageSize = 0
            for index in 0..<reads {
                // Pages from spread-out points of the history.
                let since = Int64(index) * 7
                let begin = ContinuousClock.now
                guard case let .history(_, messages) = try await session.request(.readSince(channel: channel, sinceMs: since)) else {
                    throw LoadError("ReadSince did not answer with History")
                }
                latencies.append(Report.seconds(begin.duration(to: .now)) * 1000)
                pageSize = max(pageSize, messages.count)
            }
            latencies.sort()
            if latencies.isEmpty { latencies = [0] }
            return (Int(Double(posts) / postSecondsOrOne), pageSize, Report.percentile(latencies, 0.5), Report.percentile(latencies, 0.99))
        }
        Report.print([
            "scenario": "history", "posts": posts, "persisted_posts_per_second": postsPerSecond, "read_page_messages": pageSize,
            "read_p50_ms": Report.rounded(readP50), "read_p99_ms": Report.rounded(readP99),
        ])
    }
}
