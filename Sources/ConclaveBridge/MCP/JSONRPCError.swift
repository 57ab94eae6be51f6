/// The JSON-RPC 2.0 error codes the bridge answers with.
public enum JSONRPCError: Int64, Sendable {
    /// The line is not JSON (or not UTF-8).
    case parseError = -32700
    /// Valid JSON that is not a JSON-RPC request or notification.
    case invalidRequest = -32600
    /// No such method.
    case methodNotFound = -32601
    /// The method exists but its params are wrong.
    case invalidParams = -32602
    /// A request other than `initialize` or `ping` arrived before `initialize`.
    case notInitialized = -32002
}
