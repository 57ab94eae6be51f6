import ArgumentParser
import ConclaveIdentity
import Logging

/// `conclave key`: create this machine's key if there is none, and print the public key.
struct KeyCommand: ParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Print this machine's public key, creating the key on first use.",
        discussion: """
            The private key (an Ed25519 seed) is stored in <config-dir>/key with mode 0600. Running \
            this again prints the same key. Give the printed text to `conclave machine add` on a machine \
            that is already enrolled to add this one to your account.
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let store = KeyStore(directory: try global.directory())
        let (key, created) = try store.loadOrCreate()
        if created {
            Logger(label: "conclave.key").info("created a new machine key", metadata: ["path": "\(store.directory.keyPath)"])
        }
        try Output.line(key.publicKey.text)
    }
}
