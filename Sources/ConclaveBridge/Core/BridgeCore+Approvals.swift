import ConclaveProtocol

extension BridgeCore {
    /// Claude Code asks whether a tool may run. With approvers configured, the question goes to
    /// their live sessions; the agent itself can never answer it (reference bridge gap 8). Without
    /// approvers nothing is relayed and Claude Code's own prompt decides.
    func relayPermissionRequest(_ params: JSONValue) {
        guard !config.approvers.isEmpty, let requestID = params["request_id"]?.stringValue, !requestID.isEmpty else { return }
        let request = RelayMessage.request(
            requestID: requestID, toolName: params["tool_name"]?.stringValue ?? "",
            description: params["description"]?.stringValue ?? "", inputPreview: params["input_preview"]?.stringValue ?? "")
        approvals[requestID] = PendingApproval(expires: .now + settings.approvalLifetime, request: request, servers: [])
        for key in order where servers[key]?.connection != nil {
            enqueue(key, .approverLookup(requestID: requestID), .who(channel: nil))
        }
    }

    /// Whispers the request to every live session of an approver on `key`.
    func deliverApprovalRequest(_ requestID: String, to sessions: [SessionPath], server key: String) {
        guard let approval = approvals[requestID] else { return }
        let own = ownPath(key)
        let targets = sessions.filter { config.approvers.contains($0.user) && $0 != own }
        guard !targets.isEmpty else {
            logger.info("no approver is online", metadata: ["server": "\(key)"])
            return
        }
        approvals[requestID]?.servers.insert(key)
        for target in targets {
            enqueue(key, .approverDelivery, .whisper(from: own, target: target, payload: .plain(approval.request.text)))
        }
    }

    /// A verdict whisper: accepted only from an approver's session (never this one) on a server
    /// the request went to, for a request still outstanding.
    func acceptVerdict(requestID: String, allow: Bool, from: SessionPath, server key: String) {
        guard let approval = approvals[requestID], approval.servers.contains(key), config.approvers.contains(from.user),
            from != ownPath(key)
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
