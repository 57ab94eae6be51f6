public import ConclaveIdentity
public import ConclaveProtocol

extension AgreementAnnouncement {
    /// Announces `key` for `user/machine` on the server `serverID`, signed by the machine's key.
    public static func make(
        for key: AgreementKey, signedBy signer: SigningKey, serverID: String, user: String, machine: String, nowMs: Int64
    ) -> AgreementAnnouncement {
        var announcement = AgreementAnnouncement(publicKey: key.publicKey, createdMs: nowMs, signature: [])
        announcement.signature = signer.sign(announcement.signedBytes(serverID: serverID, user: user, machine: machine))
        return announcement
    }

    /// Whether the announcement was signed by `machineKey` for `user/machine` on `serverID` (and is
    /// a well-formed X25519 key).
    public func isSigned(by machineKey: PublicKey, serverID: String, user: String, machine: String) -> Bool {
        publicKey.count == AgreementKey.byteCount
            && machineKey.verify(signature: signature, for: signedBytes(serverID: serverID, user: user, machine: machine))
    }
}
