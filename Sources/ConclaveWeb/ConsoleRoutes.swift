import ConclaveIdentity
import ConclaveProtocol
import Foundation
import Hummingbird

/// The console's page and JSON API, behind ``ConsoleGuard``.
///
/// Reads come from ``ConsoleState`` and ``ConsoleIndex``; requests that act on a server go to
/// that server's watcher through its ``CommandInbox``; autonomy levels are written to this
/// machine's config.toml exactly as `conclave perm set` writes them.
struct ConsoleRoutes: Sendable {
    let state: ConsoleState
    let index: ConsoleIndex
    let inboxes: [String: CommandInbox]
    let directory: ConfigDirectory
    let token: ConsoleToken
    /// How long a page's request for events waits when nothing happens.
    var eventWait: Duration = .seconds(25)

    /// Most characters in a post or whisper from the page (servers refuse large bodies anyway).
    static let textLimit = 64 * 1024
    /// Messages per timeline page.
    static let pageSize = 100

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in Self.document(ConsolePage.html(token: token), type: "text/html; charset=utf-8") }
        router.get("/app.js") { _, _ in Self.document(ConsolePage.javascript, type: "text/javascript; charset=utf-8") }
        router.get("/app.css") { _, _ in Self.document(ConsolePage.css, type: "text/css; charset=utf-8") }
        router.get("/api/state") { _, _ in try await snapshot() }
        router.get("/api/events") { request, _ in
            let after = request.uri.queryParameters.get("after").flatMap(Int.init) ?? 0
            let (events, reset) = await state.events(after: after, timeout: eventWait)
            return EventsReply(events: events, reset: reset)
        }
        router.get("/api/messages") { request, _ in
            let parameters = request.uri.queryParameters
            guard let server = parameters.get("server"), let conversation = parameters.get("conversation") else {
                throw HTTPError(.badRequest, message: "server and conversation are required")
            }
            let before = parameters.get("before").flatMap(Int64.init)
            let page = try index.page(server: server, conversation: conversation, before: before, limit: Self.pageSize + 1)
            return MessagesReply(messages: Array(page.suffix(Self.pageSize)), more: page.count > Self.pageSize)
        }
        router.get("/api/search") { request, _ in
            let query = request.uri.queryParameters.get("q") ?? ""
            guard query.count <= 500 else { throw HTTPError(.badRequest, message: "the search is too long") }
            return MessagesReply(messages: try index.search(query, limit: 100), more: false)
        }
        router.post("/api/read") { request, context in
            let body = try await request.decode(as: ReadRequest.self, context: context)
            await state.markRead(server: body.server, conversation: body.conversation)
            return DoneReply(detail: "read")
        }
        router.post("/api/post") { request, context in
            let body = try await request.decode(as: PostRequest.self, context: context)
            do {
                try SessionPath.validateComponent(body.channel, kind: .channel)
            } catch {
                throw HTTPError(.badRequest, message: "\(error)")
            }
            return try await perform(.post(channel: body.channel, text: try Self.checked(body.text)), on: body.server)
        }
        router.post("/api/whisper") { request, context in
            let body = try await request.decode(as: WhisperRequest.self, context: context)
            let target: SessionPath
            do {
                target = try SessionPath(parsing: body.target)
            } catch {
                throw HTTPError(.badRequest, message: "a whisper goes to one session, user/machine/session: \(error)")
            }
            return try await perform(.whisper(target: target, text: try Self.checked(body.text)), on: body.server)
        }
        router.post("/api/answer") { request, context in
            let body = try await request.decode(as: AnswerRequest.self, context: context)
            guard let entry = await state.takePrompt(body.prompt) else {
                throw HTTPError(.gone, message: "this request was already answered or has expired")
            }
            do {
                return try await perform(.verdict(entry.prompt, to: entry.from, allow: body.allow), on: entry.server)
            } catch {
                await state.restorePrompt(body.prompt, entry, nowMs: EpochClock.nowMs())
                throw error
            }
        }
        router.post("/api/level") { request, context in
            let body = try await request.decode(as: LevelRequest.self, context: context)
            try setLevel(body)
            return DoneReply(detail: "level set")
        }
    }

    // MARK: Handlers

    private func snapshot() async throws -> StateReply {
        let view = await state.snapshot(nowMs: EpochClock.nowMs())
        let config: ClientConfig
        do {
            config = try ConfigFile(directory: directory).load()
        } catch {
            throw HTTPError(.internalServerError, message: "could not read config.toml: \(error)")
        }
        let overrides = config.overrides.map { entry in
            LevelsView.Override(
                server: ServerURL.key(for: entry.server), channel: entry.scope.channelName, whisper: entry.scope == .whisper,
                level: entry.level.token)
        }
        return StateReply(
            seq: view.seq, servers: view.servers, prompts: view.prompts,
            levels: LevelsView(default: config.defaultPermission.token, overrides: overrides))
    }

    private func perform(_ command: ConsoleCommand, on server: String) async throws -> DoneReply {
        guard let inbox = inboxes[server] else { throw HTTPError(.notFound, message: "no registered server `\(server)`") }
        switch await inbox.perform(command) {
        case let .success(detail): return DoneReply(detail: detail)
        case let .failure(failure): throw HTTPError(.conflict, message: failure.description)
        }
    }

    private func setLevel(_ body: LevelRequest) throws {
        let level: PermissionLevel
        do {
            level = try PermissionLevel(token: body.level)
        } catch {
            throw HTTPError(.badRequest, message: "\(error)")
        }
        var scope: (ServerURL, PermissionScope)?
        if let server = body.server {
            guard inboxes[server] != nil, let url = try? ServerURL(server) else {
                throw HTTPError(.notFound, message: "no registered server `\(server)`")
            }
            switch (body.channel, body.whisper ?? false) {
            case let (channel?, false):
                do {
                    try SessionPath.validateComponent(channel, kind: .channel)
                } catch {
                    throw HTTPError(.badRequest, message: "\(error)")
                }
                scope = (url, .channel(channel))
            case (nil, true):
                scope = (url, .whisper)
            default:
                throw HTTPError(.badRequest, message: "a level on a server is for one channel or for whispers")
            }
        }
        do {
            try ConfigFile(directory: directory).update { config in
                if let (server, scope) = scope {
                    config.setPermission(level, server: server, scope: scope)
                } else {
                    config.defaultPermission = level
                }
            }
        } catch {
            throw HTTPError(.internalServerError, message: "could not write config.toml: \(error)")
        }
    }

    private static func checked(_ text: String) throws -> String {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw HTTPError(.badRequest, message: "the message is empty")
        }
        guard text.utf8.count <= textLimit else { throw HTTPError(.contentTooLarge, message: "the message is over \(textLimit) bytes") }
        return text
    }

    private static func document(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    // MARK: Bodies

    struct ReadRequest: Decodable { var server: String; var conversation: String }
    struct PostRequest: Decodable { var server: String; var channel: String; var text: String }
    struct WhisperRequest: Decodable { var server: String; var target: String; var text: String }
    struct AnswerRequest: Decodable { var prompt: String; var allow: Bool }
    struct LevelRequest: Decodable { var level: String; var server: String?; var channel: String?; var whisper: Bool? }

    struct DoneReply: ResponseEncodable { var detail: String }
    struct EventsReply: ResponseEncodable { var events: [ConsoleEvent]; var reset: Bool }
    struct MessagesReply: ResponseEncodable { var messages: [ConsoleMessage]; var more: Bool }

    struct LevelsView: Codable, Sendable {
        struct Override: Codable, Sendable { var server: String; var channel: String?; var whisper: Bool; var level: String }
        var `default`: String
        var overrides: [Override]
    }

    struct StateReply: ResponseEncodable {
        var seq: Int
        var servers: [ConsoleState.Server]
        var prompts: [ConsoleState.Prompt]
        var levels: LevelsView
    }
}
