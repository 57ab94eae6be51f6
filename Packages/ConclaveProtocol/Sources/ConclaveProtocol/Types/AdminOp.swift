/// An administrative operation, carried only inside ``ProtocolMessage/admin(_:)``.
///
/// Case order is the wire order (indices 0–16); cases 13–16 were appended in v0.2.1.
public enum AdminOp: Sendable, Hashable {
    /// 0: create a channel; the caller becomes its admin and first ACL member.
    case createChannel(name: String, visibility: Visibility)
    /// 1: delete a channel.
    case deleteChannel(name: String)
    /// 2: rename a channel.
    case renameChannel(name: String, newName: String)
    /// 3: change a channel's tier.
    case setVisibility(name: String, visibility: Visibility)
    /// 4: add a user to a channel's ACL (also lifts a ban).
    case aclAdd(channel: String, user: String)
    /// 5: remove a user from a channel's ACL.
    case aclRemove(channel: String, user: String)
    /// 6: mint an invite token; `nil` means unlimited uses / never expires.
    case inviteCreate(channel: String, uses: UInt32?, expiresInSecs: UInt64?)
    /// 7: revoke an invite token.
    case inviteRevoke(token: String)
    /// 8: kick a session (`user/machine/session` text) or every session of a username.
    case kick(channel: String, target: String)
    /// 9: ban a user from a channel.
    case ban(channel: String, user: String)
    /// 10: delete an account (server admins).
    case userRemove(username: String)
    /// 11: revoke one of the caller's machines.
    case machineRemove(name: String)
    /// 12: enroll a machine under the caller's account; `pubkey` is the raw 32-byte key.
    case machineAdd(name: String, pubkey: [UInt8])
    /// 13: list a channel's ACL.
    case aclList(channel: String)
    /// 14: lift a ban (does not add to the ACL).
    case unban(channel: String, user: String)
    /// 15: list a channel's bans.
    case banList(channel: String)
    /// 16: list a channel's invites.
    case inviteList(channel: String)

    static let variantCount = 17

    /// The variant's name as the reference spells it (`CreateChannel`), for logs and errors.
    public var name: String {
        switch self {
        case .createChannel: "CreateChannel"
        case .deleteChannel: "DeleteChannel"
        case .renameChannel: "RenameChannel"
        case .setVisibility: "SetVisibility"
        case .aclAdd: "AclAdd"
        case .aclRemove: "AclRemove"
        case .inviteCreate: "InviteCreate"
        case .inviteRevoke: "InviteRevoke"
        case .kick: "Kick"
        case .ban: "Ban"
        case .userRemove: "UserRemove"
        case .machineRemove: "MachineRemove"
        case .machineAdd: "MachineAdd"
        case .aclList: "AclList"
        case .unban: "Unban"
        case .banList: "BanList"
        case .inviteList: "InviteList"
        }
    }
}

extension AdminOp: CustomStringConvertible {
    /// Names and flags are shown; tokens and keys are not.
    public var description: String {
        switch self {
        case let .createChannel(name, visibility):
            "CreateChannel(name: \(quoted(name)), visibility: \(visibility))"
        case let .deleteChannel(name):
            "DeleteChannel(name: \(quoted(name)))"
        case let .renameChannel(name, newName):
            "RenameChannel(name: \(quoted(name)), new_name: \(quoted(newName)))"
        case let .setVisibility(name, visibility):
            "SetVisibility(name: \(quoted(name)), visibility: \(visibility))"
        case let .inviteCreate(channel, uses, expiresInSecs):
            "InviteCreate(channel: \(quoted(channel)), uses: \(uses.map(String.init) ?? "unlimited"), "
                + "expires_in_secs: \(expiresInSecs.map(String.init) ?? "never"))"
        case .inviteRevoke:
            "InviteRevoke(token: <redacted>)"
        case let .kick(channel, target):
            "Kick(channel: \(quoted(channel)), target: \(quoted(target)))"
        case let .userRemove(username):
            "UserRemove(username: \(quoted(username)))"
        case let .machineRemove(name):
            "MachineRemove(name: \(quoted(name)))"
        case let .machineAdd(name, pubkey):
            "MachineAdd(name: \(quoted(name)), pubkey: <\(pubkey.count) bytes>)"
        case let .aclAdd(channel, user), let .aclRemove(channel, user),
            let .ban(channel, user), let .unban(channel, user):
            "\(name)(channel: \(quoted(channel)), user: \(quoted(user)))"
        case let .aclList(channel), let .banList(channel), let .inviteList(channel):
            "\(name)(channel: \(quoted(channel)))"
        }
    }
}

/// Wraps a name in quotes for descriptions, so empty or space-padded names stay visible.
func quoted(_ text: String) -> String {
    "\"\(text)\""
}
