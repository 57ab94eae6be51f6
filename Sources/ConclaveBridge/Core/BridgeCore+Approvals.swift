import ConclaveIdentity
import ConclaveProtocol

extension BridgeCore {
    /// Claude Code asks whether a tool may run. With approvers configured for a live server, the
    /// question goes to their sessions there, sealed to their machine keys; the agent itself can
    /// never answer it (reference bridge gap 8). Without approvers nothing is relayed and Claude
    /// Code's own prompt decides.
    func relayPermissionRequest(_ params: JSONValue) {
        guard !config.approvers.isEmpty, let requestID = params["request_id"]?.stringValue, !requestID.isEmpty else { return }
        var approval = PendingApproval(expires: .now + settings.approvalLifetime)
        for key in order {
            guard let server = servers[key], server.connection != nil, let own = server.path else { continue }
            let entries = config.approvers(for: server.url)
            guard !entries.isEmpty else { continue }
            do {
                approval.prompts[key] = try ApprovalPrompt(
                    requestID: requestID, toolName: params["tool_name"]?.stringValue ?? "",
                    description: params["description"]?.stringValue ?? "", inputPreview: params["input_preview"]?.stringValue ?? "",
                    requester: own)
            } catch {
                logger.error("could not prepare a permission request", metadata: ["server": "\(key)", "error": "\(error)"])
                continue
            }
            if entries.contains(where: { $0.key == nil && $0.user == own.user }) {
                enqueue(key, .approverKeys(requestID: requestID), .listMachines)
            }
            enqueue(key, .approverLookup(requestID: requestID), .who(channel: nil))
        }
        guard !approval.prompts.isEmpty else { return }
        approvals[requestID] = approval
    }

    /// Remembers this user's machine keys on `key`, for approvers who are this user.
    func recordMachineKeys(_ machines: [MachineInfo], requestID: String, server key: String) {
        guard approvals[requestID] != nil else { return }
        var keys: [String: PublicKey] = [:]
        for machine in machines {
            if let publicKey = try? PublicKey(text: machine.pubkey) { keys[machine.name] = publicKey }
        }
        approvals[requestID]?.machineKeys[key] = keys
    }

    /// Whispers the request to every live session of an approver on `key`, sealed to each key
    /// that session's machine may hold.
    func deliverApprovalRequest(_ requestID: String, to sessions: [SessionPath], server key: String) {
        guard let approval = approvals[requestID], let prompt = approval.prompts[key], let server = servers[key] else { return }
        let own = ownPath(key)
        let entries = config.approvers(for: server.url)
        var deliveries = 0
        for session in sessions where session != own {
            for recipient in recipientKeys(for: session, entries: entries, server: server, machineKeys: approval.machineKeys[key] ?? [:]) {
                do {
                    let request = try prompt.sealed(to: recipient)
                    enqueue(key, .approverDelivery, .whisper(from: own, target: session, payload: .plain(request.text)))
                    deliveries += 1
                } catch {
                    logger.warning("could not seal a permission request", metadata: ["server": "\(key)", "error": "\(error)"])
                }
            }
        }
        guard deliveries > 0 else {
            logger.info("no approver is online", metadata: ["server": "\(key)"])
            return
        }
        approvals[requestID]?.delivered.insert(key)
    }

    /// The keys a session of an approver may hold: pinned ones, or for this machine's own user
    /// without a pin, the key the server lists for the session's machine.
    private func recipientKeys(
        for session: SessionPath, entries: [Approver], server: ServerState, machineKeys: [String: PublicKey]
    ) -> Set<PublicKey> {
        var keys: Set<PublicKey> = []
        for entry in entries where entry.covers(user: session.user, machine: session.machine) {
            if let text = entry.key {
                if let pinned = try? PublicKey(text: text) { keys.insert(pinned) }
            } else if entry.user == server.path?.user, let listed = machineKeys[session.machine] {
                keys.insert(listed)
            }
        }
        return keys
    }

    /// A verdict whisper: accepted only when it carries one of the codes sealed into the prompt
    /// that went to `key`, from an approver's session (never this one), while outstanding.
    func acceptVerdict(requestID: String, code: [UInt8], from: SessionPath, server key: String) {
        guard let approval = approvals[requestID], let prompt = approval.prompts[key], approval.delivered.contains(key),
            let server = servers[key], from != ownPath(key),
            config.approvers(for: server.url).contains(where: { $0.covers(user: from.user, machine: from.machine) }),
            let allow = prompt.answer(for: code)
        else {
            logger.warning("permission verdict ignored", metadata: ["server": "\(key)", "from": "\(from)"])
            return
        }
        approvals[requestID] = nil
        notify(OutgoingMessage.notification("notifications/claude/channel/permission", params: [
            "request_id": .string(requestID), "behavior": .string(allow ? "allow" : "deny"),
        ]))
    }
}
