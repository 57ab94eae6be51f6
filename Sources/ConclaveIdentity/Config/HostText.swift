/// A host as it is written inside a URL or an address: an IPv6 literal goes in brackets, so its
/// colons are not read as the port's.
package enum HostText {
    /// `::1` → `[::1]`; names and IPv4 addresses unchanged.
    package static func bracketed(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }

    /// `host:port`, with an IPv6 host bracketed: `[::1]:4390`, `127.0.0.1:4390`.
    package static func address(host: String, port: Int) -> String {
        "\(bracketed(host)):\(port)"
    }
}
