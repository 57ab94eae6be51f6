import ConclaveIdentity

/// The identity a store keeps for the server's data: made once, when a store first needs one,
/// and never changed, so clients can tell two servers (or two spellings of one) apart.
public enum InstanceID {
    /// A new random instance ID, proposed to the store, which keeps the first one it stored.
    public static func fresh() throws(StoreError) -> String {
        do {
            return try SecureRandom.token()
        } catch {
            throw StoreError("could not generate an instance ID: \(error)")
        }
    }
}
