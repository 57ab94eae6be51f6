import HTTPTypes
import Hummingbird
import Synchronization

/// Lets through only requests from the person's own browser on this machine, and hardens every
/// response.
///
/// A request must name this console as its host (a page on another site that rebinds its DNS
/// name to 127.0.0.1 does not), must not come from another origin (`Origin`, or
/// `Sec-Fetch-Site: cross-site`/`same-site`: another port on this machine is the same site but not
/// the same origin), and must carry the console's token (`Authorization: Bearer`, or `token=` in
/// the query for what a browser loads by URL). Every answer forbids framing, sniffing, caching
/// and referrers, and sets a Content-Security-Policy that allows only this console's own script,
/// style and requests.
struct ConsoleGuard<Context: RequestContext>: RouterMiddleware {
    let token: ConsoleToken
    /// The bound port, once known: hosts and origins are compared with it.
    let port: BoundPort

    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        if let refusal = refusal(of: request) {
            response = Response(status: refusal.status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: refusal.text + "\n")))
        } else {
            do {
                response = try await next(request, context)
            } catch let error as any HTTPResponseError {
                response = try error.response(from: request, context: context)
            }
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.cacheControl] = "no-store"
        if let frameOptions = HTTPField.Name("X-Frame-Options") { response.headers[frameOptions] = "DENY" }
        if let referrerPolicy = HTTPField.Name("Referrer-Policy") { response.headers[referrerPolicy] = "no-referrer" }
        return response
    }

    /// Why `request` is refused, or `nil` when it may go on.
    func refusal(of request: Request) -> (status: HTTPResponse.Status, text: String)? {
        let port = port.value
        let hosts = ["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)"]
        guard let host = request.head.authority?.lowercased(), hosts.contains(host) else {
            return (.misdirectedRequest, "this console answers only on 127.0.0.1:\(port)")
        }
        if let origin = request.headers[.origin], !hosts.map({ "http://" + $0 }).contains(origin.lowercased()) {
            return (.forbidden, "cross-origin requests are refused")
        }
        if let name = HTTPField.Name("Sec-Fetch-Site"), let site = request.headers[name], !["same-origin", "none"].contains(site.lowercased()) {
            return (.forbidden, "cross-origin requests are refused")
        }
        let bearer = request.headers[.authorization].flatMap { value -> Substring? in
            value.hasPrefix("Bearer ") ? value.dropFirst("Bearer ".count) : nil
        }
        let presented = bearer.map(String.init) ?? request.uri.queryParameters.get("token")
        guard let presented, token.matches(presented) else {
            return (.unauthorized, "this console needs its token: open the URL `conclave web` printed")
        }
        return nil
    }
}

/// The console's port, set once the listener is bound (0 until then: nothing matches).
final class BoundPort: Sendable {
    private let port = Atomic<Int>(0)
    var value: Int { port.load(ordering: .acquiring) }
    func set(_ value: Int) { port.store(value, ordering: .releasing) }
}
