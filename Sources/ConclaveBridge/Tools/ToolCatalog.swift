/// The `tools/list` entries: names, descriptions and input schemas.
public enum ToolCatalog {
    static let server: JSONValue = [
        "type": "string",
        "description": "Server URL, as in `conclave server list`. Optional when this session is linked to one server.",
    ]
    static let level: JSONValue = ["type": "string", "enum": ["mute", "notify", "converse", "act"]]
    static let visibility: JSONValue = ["type": "string", "enum": ["public", "unlisted", "private"]]

    static func schema(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        var fields: [String: JSONValue] = ["server": server]
        fields.merge(properties) { $1 }
        var schema: [String: JSONValue] = ["type": "object", "properties": .object(fields), "additionalProperties": false]
        if !required.isEmpty { schema["required"] = .array(required.map(JSONValue.string)) }
        return .object(schema)
    }

    static func text(_ description: String) -> JSONValue { ["type": "string", "description": .string(description)] }

    /// The argument names `tool`'s schema accepts.
    static func argumentNames(_ tool: ToolName) -> Set<String> {
        guard case let .object(properties)? = definition(tool).1["properties"] else { return [] }
        return Set(properties.keys)
    }

    /// The `tools/list` entry for `tool`.
    public static func entry(_ tool: ToolName) -> JSONValue {
        let (description, inputSchema) = definition(tool)
        return ["name": .string(tool.rawValue), "description": .string(description), "inputSchema": inputSchema]
    }

    // One switch with every tool keeps names, texts and schemas side by side.
    // swiftlint:disable:next function_body_length
    static func definition(_ tool: ToolName) -> (String, JSONValue) {
        switch tool {
        case .joinChannel:
            return ("Join a channel and subscribe this session to it; its messages then arrive as <channel> notifications. Optionally lower your autonomy level for it (saved to config.toml once the server accepts the join); raising a level needs the human.",
                    schema(["channel": text("Channel name."), "token": text("Invite token, for a private channel."),
                            "perm": level], required: ["channel"]))
        case .leaveChannel:
            return ("Unsubscribe this session from a channel; the link to the server stays up.",
                    schema(["channel": text("Channel name.")], required: ["channel"]))
        case .listChannels:
            return ("List the channels you can see on a server: public ones and those you are a member of.", schema([:]))
        case .who:
            return ("List the live sessions on a server, or in one channel.", schema(["channel": text("Restrict to this channel.")]))
        case .catchUp:
            return ("Read a joined channel's retained history (servers keep about 7 days), oldest first. Without `since`, continues after the last message this session saw there (from the start of retention for a channel never seen); call again without `since` to read the next page. `since` is a duration such as 45m, 2h or 1d.",
                    schema(["channel": text("Channel name."), "since": text("How far back to start, e.g. 2h.")], required: ["channel"]))
        case .setPerm:
            return ("Lower your autonomy level (mute, notify, converse, act) for one channel, for whispers on a server (`whisper`: true), or, with neither, the machine default. Takes effect immediately and is saved to config.toml. A session can never raise a level: ask the human to run `conclave perm set`.",
                    schema(["channel": text("Channel name."), "whisper": ["type": "boolean", "description": "Apply to whispers on the server."],
                            "level": level], required: ["level"]))
        case .createChannel:
            return ("Create a channel; you become its admin. Visibility: public (listed), unlisted (joinable by name), private (members and invite holders).",
                    schema(["name": text("Channel name."), "visibility": visibility], required: ["name"]))
        case .ack:
            return ("Acknowledge a message you have read, by the id attribute of its <channel> tag: its sender's receipts then show it reached you. A send_channel or whisper with `reply_to` does the same.",
                    schema(["id": text("The message id.")], required: ["id"]))
        case .receipts:
            return ("Show where one of your own messages stands for each recipient session: relayed (handed to it), delivered (its bridge has it), injected (shown to its model), held, refused, acked. Takes the id send_channel or whisper returned.",
                    schema(["id": text("The message id.")], required: ["id"]))
        case .sendChannel:
            return ("Post a message to a joined channel. Allowed only when the channel's level is converse or act. Returns the message id (for the receipts tool).",
                    schema(["channel": text("Channel name."), "text": text("The message."),
                            "reply_to": text("The id of the message this answers (acknowledges it).")], required: ["channel", "text"]))
        case .whisper:
            return ("Send a direct message to exactly one session (user/machine/session). Allowed only when the server's whisper level is converse or act. A whisper to a session that is not connected fails at once, unless `hold_minutes` asks the server to hold it until that session connects.",
                    schema(["target": text("The recipient's user/machine/session path."), "text": text("The message."),
                            "reply_to": text("The id of the message this answers (acknowledges it)."),
                            "hold_minutes": ["type": "integer", "minimum": 1, "maximum": 1440,
                                             "description": "If the target is offline, hold the whisper up to this many minutes."]],
                           required: ["target", "text"]))
        case .deleteChannel:
            return ("Channel admin: delete a channel with its history, members, bans and invites.", schema(["name": text("Channel name.")], required: ["name"]))
        case .setVisibility:
            return ("Channel admin: change a channel's visibility.", schema(["name": text("Channel name."), "visibility": visibility], required: ["name", "visibility"]))
        case .aclAdd:
            return ("Channel admin: make a user a member of a channel (also lifts a ban).", schema(["channel": text("Channel name."), "user": text("Username.")], required: ["channel", "user"]))
        case .aclRemove:
            return ("Channel admin: remove a member; their sessions leave the channel.", schema(["channel": text("Channel name."), "user": text("Username.")], required: ["channel", "user"]))
        case .inviteCreate:
            return ("Channel admin: create an invite token for a channel, optionally limited in uses and lifetime.",
                    schema(["channel": text("Channel name."), "uses": ["type": "integer", "minimum": 1, "maximum": 4_294_967_295, "description": "How many joins it allows (default: unlimited)."],
                            "expires_in_secs": ["type": "integer", "minimum": 1, "description": "Lifetime in seconds (default: no expiry)."]], required: ["channel"]))
        case .inviteRevoke:
            return ("Channel admin: revoke an invite token.", schema(["token": text("The token.")], required: ["token"]))
        case .kick:
            return ("Channel admin: unsubscribe a session (user/machine/session) or all of a user's sessions from a channel; they may join again.",
                    schema(["channel": text("Channel name."), "target": text("A session path or a username.")], required: ["channel", "target"]))
        case .ban:
            return ("Channel admin: ban a user from a channel (removes membership, unsubscribes, blocks rejoining).", schema(["channel": text("Channel name."), "user": text("Username.")], required: ["channel", "user"]))
        case .unban:
            return ("Channel admin: lift a ban (does not restore membership).", schema(["channel": text("Channel name."), "user": text("Username.")], required: ["channel", "user"]))
        case .renameChannel:
            return ("Channel admin: rename a channel; members, history, invites and bans follow.", schema(["name": text("Current name."), "new_name": text("New name.")], required: ["name", "new_name"]))
        case .aclList:
            return ("Channel admin: list a channel's members.", schema(["channel": text("Channel name.")], required: ["channel"]))
        case .banList:
            return ("Channel admin: list the users banned from a channel.", schema(["channel": text("Channel name.")], required: ["channel"]))
        case .inviteList:
            return ("Channel admin: list a channel's outstanding invite tokens with uses left and expiry.", schema(["channel": text("Channel name.")], required: ["channel"]))
        }
    }
}
