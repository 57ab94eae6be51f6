import ConclaveProtocol

/// Builds protocol values from the serde JSON description used by `vectors.json` (PROTOCOL.md §10.2).
enum FrameJSON {
    static func message(_ json: JSONValue) throws -> ProtocolMessage {
        let (name, c) = try json.variant()
        switch name {
        case "Hello": return .hello(protocolVersion: try c["protocol_version"].uint32(), session: try c["session"].string())
        case "Challenge": return .challenge(nonce: try c["nonce"].bytes())
        case "Auth": return .auth(pubkey: try c["pubkey"].bytes(), signature: try c["signature"].bytes())
        case "Established": return .established(path: try path(try c["path"]))
        case "Register":
            return .register(username: try c["username"].string(), machine: try c["machine"].string(), pubkey: try c["pubkey"].bytes())
        case "Join": return .join(channel: try c["channel"].string(), token: try c["token"].optionalString())
        case "Leave": return .leave(channel: try c["channel"].string())
        case "Who": return .who(channel: try c["channel"].optionalString())
        case "Admin": return .admin(try adminOp(c))
        case "ChannelMsg":
            return .channelMessage(channel: try c["channel"].string(), from: try path(try c["from"]), payload: try payload(try c["payload"]))
        case "Whisper":
            return .whisper(from: try path(try c["from"]), target: try path(try c["target"]), payload: try payload(try c["payload"]))
        case "Presence":
            return .presence(channel: try c["channel"].optionalString(), sessions: try c["sessions"].array().map(path))
        case "Error": return .error(try protocolError(c))
        case "ListChannels": return .listChannels
        case "ChannelList": return .channelList(channels: try c["channels"].array().map(channelInfo))
        case "Joined": return .joined(channel: try c["channel"].string())
        case "Ack": return .ack(detail: try c["detail"].optionalString())
        case "InviteToken": return .inviteToken(token: try c["token"].string())
        case "Ping": return .ping
        case "Pong": return .pong
        case "ServerInfo": return .serverInfo(admin: try c["admin"].bool())
        case "ListMachines": return .listMachines
        case "MachineList": return .machineList(machines: try c["machines"].array().map(machineInfo))
        case "ListUsers": return .listUsers
        case "UserList": return .userList(users: try c["users"].array().map { try $0.string() })
        case "InviteList": return .inviteList(invites: try c["invites"].array().map(inviteInfo))
        case "ReadSince": return .readSince(channel: try c["channel"].string(), sinceMs: try c["since_ms"].int64())
        case "History": return .history(channel: try c["channel"].string(), messages: try c["messages"].array().map(historyMessage))
        default: throw FrameJSONError(description: "unknown ProtocolMessage variant \(name)")
        }
    }

    static func adminOp(_ json: JSONValue) throws -> AdminOp {
        let (name, c) = try json.variant()
        switch name {
        case "CreateChannel": return .createChannel(name: try c["name"].string(), visibility: try visibility(try c["visibility"]))
        case "DeleteChannel": return .deleteChannel(name: try c["name"].string())
        case "RenameChannel": return .renameChannel(name: try c["name"].string(), newName: try c["new_name"].string())
        case "SetVisibility": return .setVisibility(name: try c["name"].string(), visibility: try visibility(try c["visibility"]))
        case "AclAdd": return .aclAdd(channel: try c["channel"].string(), user: try c["user"].string())
        case "AclRemove": return .aclRemove(channel: try c["channel"].string(), user: try c["user"].string())
        case "InviteCreate":
            let uses = try c["uses"]
            let expires = try c["expires_in_secs"]
            return .inviteCreate(
                channel: try c["channel"].string(),
                uses: uses == .null ? nil : try uses.uint32(),
                expiresInSecs: expires == .null ? nil : try expires.uint64())
        case "InviteRevoke": return .inviteRevoke(token: try c["token"].string())
        case "Kick": return .kick(channel: try c["channel"].string(), target: try c["target"].string())
        case "Ban": return .ban(channel: try c["channel"].string(), user: try c["user"].string())
        case "UserRemove": return .userRemove(username: try c["username"].string())
        case "MachineRemove": return .machineRemove(name: try c["name"].string())
        case "MachineAdd": return .machineAdd(name: try c["name"].string(), pubkey: try c["pubkey"].bytes())
        case "AclList": return .aclList(channel: try c["channel"].string())
        case "Unban": return .unban(channel: try c["channel"].string(), user: try c["user"].string())
        case "BanList": return .banList(channel: try c["channel"].string())
        case "InviteList": return .inviteList(channel: try c["channel"].string())
        default: throw FrameJSONError(description: "unknown AdminOp variant \(name)")
        }
    }

    static func payload(_ json: JSONValue) throws -> Payload {
        let (name, c) = try json.variant()
        switch name {
        case "Plain": return .plain(try c.string())
        case "Encrypted": return .encrypted(Envelope(ciphertext: try c["ciphertext"].bytes(), keyID: try c["key_id"].optionalString()))
        default: throw FrameJSONError(description: "unknown Payload variant \(name)")
        }
    }

    static func protocolError(_ json: JSONValue) throws -> ProtocolError {
        let (name, c) = try json.variant()
        switch name {
        case "VersionMismatch": return .versionMismatch(ours: try c["ours"].uint32(), theirs: try c["theirs"].uint32())
        case "MalformedFrame": return .malformedFrame(try c.string())
        case "Unauthorized": return .unauthorized(try c.string())
        case "NotFound": return .notFound(try c.string())
        case "Internal": return .internal(try c.string())
        default: throw FrameJSONError(description: "unknown ProtocolError variant \(name)")
        }
    }

    static func visibility(_ json: JSONValue) throws -> Visibility {
        switch try json.string() {
        case "Public": return .public
        case "Unlisted": return .unlisted
        case "Private": return .private
        case let other: throw FrameJSONError(description: "unknown Visibility \(other)")
        }
    }

    static func path(_ json: JSONValue) throws -> SessionPath {
        SessionPath(user: try json["user"].string(), machine: try json["machine"].string(), session: try json["session"].string())
    }

    static func channelInfo(_ json: JSONValue) throws -> ChannelInfo {
        ChannelInfo(name: try json["name"].string(), visibility: try visibility(try json["visibility"]), member: try json["member"].bool())
    }

    static func machineInfo(_ json: JSONValue) throws -> MachineInfo {
        MachineInfo(name: try json["name"].string(), pubkey: try json["pubkey"].string(), addedAt: try json["added_at"].string())
    }

    static func inviteInfo(_ json: JSONValue) throws -> InviteInfo {
        let uses = try json["uses_remaining"]
        return InviteInfo(
            token: try json["token"].string(),
            usesRemaining: uses == .null ? nil : try uses.int64(),
            expiresAt: try json["expires_at"].optionalString())
    }

    static func historyMessage(_ json: JSONValue) throws -> HistoryMessage {
        HistoryMessage(from: try path(try json["from"]), tsMs: try json["ts_ms"].int64(), payload: try payload(try json["payload"]))
    }
}
