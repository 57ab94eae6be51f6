/// Something the page should know about, in the order it happened: a message to show, a change
/// of state (connection, channels, presence, prompts) after which it reads the state again, or
/// history read into a conversation.
struct ConsoleEvent: Codable, Sendable {
    /// What happened.
    enum Kind: String, Codable, Sendable {
        case message, state, history
    }

    /// Increases by one per event; the page asks for events after the last one it saw.
    var seq: Int
    var kind: Kind
    var message: ConsoleMessage?
    /// For `history`: the conversation that gained older messages.
    var server: String?
    var conversation: String?
}
