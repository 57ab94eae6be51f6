/// How many connections in some state each remote address holds, and how many in all.
struct AddressCounts: Sendable {
    private var byAddress: [String: Int] = [:]
    /// Connections in all.
    private(set) var total = 0

    /// Connections from `address`.
    func count(of address: String) -> Int {
        byAddress[address, default: 0]
    }

    mutating func add(_ address: String) {
        byAddress[address, default: 0] += 1
        total += 1
    }

    /// Forgets one connection of `address`; an address with none left is dropped, so the map
    /// holds only addresses with connections.
    mutating func remove(_ address: String) {
        let remaining = byAddress[address, default: 1] - 1
        byAddress[address] = remaining > 0 ? remaining : nil
        total = max(0, total - 1)
    }
}
