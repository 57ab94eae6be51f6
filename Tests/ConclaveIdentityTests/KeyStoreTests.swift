import ConclaveIdentity
import Foundation
import Synchronization
import Testing

@Suite("The key file")
struct KeyStoreTests {
    @Test func createsAPrivateKeyOnceAndLoadsItAfterwards() throws {
        let temp = TemporaryDirectory()
        let directory = ConfigDirectory(path: temp.path + "/nested/conclave")
        let store = KeyStore(directory: directory)
        let (key, created) = try store.loadOrCreate()
        #expect(created)
        #expect(try temp.mode(of: directory.keyPath) == 0o600)
        #expect(try temp.mode(of: directory.path) == 0o700)
        let text = try temp.contents(of: directory.keyPath)
        #expect(text.count == 43)
        #expect(!text.hasSuffix("\n"))
        #expect(text == key.seedText)

        let (again, createdAgain) = try store.loadOrCreate()
        #expect(!createdAgain)
        #expect(again.publicKey == key.publicKey)
        #expect(try store.load().publicKey == key.publicKey)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func loadsAReferenceKeyFileWithATrailingNewline() throws {
        let temp = TemporaryDirectory()
        let directory = ConfigDirectory(path: temp.path)
        try temp.write("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\n", to: directory.keyPath)
        let key = try KeyStore(directory: directory).load()
        #expect(key.publicKey.text == "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
    }

    @Test func aMissingKeySaysWhatToRun() {
        let temp = TemporaryDirectory()
        let directory = ConfigDirectory(path: temp.path)
        #expect(throws: IdentityError.keyMissing(path: directory.keyPath)) { try KeyStore(directory: directory).load() }
        #expect(IdentityError.keyMissing(path: "/x/key").description.contains("run `conclave register --server <url> --username <you>`"))
    }

    @Test(arguments: ["not base64 at all!", "AAAA", "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="])
    func aCorruptKeyIsReportedAndNeverReplaced(_ contents: String) throws {
        let temp = TemporaryDirectory()
        let directory = ConfigDirectory(path: temp.path)
        try temp.write(contents, to: directory.keyPath)
        #expect(throws: IdentityError.self) { try KeyStore(directory: directory).loadOrCreate() }
        #expect(try temp.contents(of: directory.keyPath) == contents)
    }

    @Test func concurrentCreatorsAgreeOnOneKey() throws {
        let temp = TemporaryDirectory()
        let store = KeyStore(directory: ConfigDirectory(path: temp.path))
        let results = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            if let key = try? store.loadOrCreate().key {
                results.withLock { $0.append(key.publicKey.text) }
            }
        }
        let keys = results.withLock { $0 }
        #expect(keys.count == 8)
        #expect(Set(keys).count == 1)
        #expect(try store.load().publicKey.text == keys.first)
    }
}


@Suite("key file protection")
struct KeyFileProtectionTests {
    @Test(arguments: [0o644, 0o640, 0o604, 0o660])
    func aKeyFileOthersCanReadIsRefusedLikeSshDoes(_ mode: Int) throws {
        let temp = TemporaryDirectory()
        let directory = ConfigDirectory(path: temp.path)
        try temp.write("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A", to: directory.keyPath, mode: mode)
        #expect(throws: IdentityError.keyUnprotected(path: directory.keyPath, mode: UInt32(mode), foreignOwner: false)) {
            try KeyStore(directory: directory).load()
        }
        let message = "\(IdentityError.keyUnprotected(path: directory.keyPath, mode: UInt32(mode), foreignOwner: false))"
        #expect(message.contains("chmod 600"))
        // The file is left as it was, and loads once it is private.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory.keyPath)
        #expect(try KeyStore(directory: directory).load().publicKey.text.count == 43)
    }
}

@Suite("The agreement key file")
struct AgreementKeyFileTests {
    @Test func createsAPrivateAgreementKeyOnceBesideTheMachineKey() throws {
        let temp = TemporaryDirectory()
        let directory = ConfigDirectory(path: temp.path + "/conclave")
        let store = KeyStore(directory: directory)
        let (key, created) = try store.loadOrCreateAgreementKey()
        #expect(created)
        #expect(try temp.mode(of: directory.agreementKeyPath) == 0o600)
        #expect(try temp.contents(of: directory.agreementKeyPath) == key.secretText)
        let (again, createdAgain) = try store.loadOrCreateAgreementKey()
        #expect(!createdAgain)
        #expect(again.publicKey == key.publicKey)
        // Its own key, not the machine key's X25519 form.
        let machine = try store.loadOrCreate().key
        #expect(machine.publicKey.bytes != key.publicKey)
    }

    @Test func anUnprotectedOrCorruptAgreementKeyIsRefusedAndLeftAlone() throws {
        let temp = TemporaryDirectory()
        let directory = ConfigDirectory(path: temp.path)
        try temp.write("AAAA", to: directory.agreementKeyPath)
        #expect(throws: IdentityError.self) { try KeyStore(directory: directory).loadOrCreateAgreementKey() }
        #expect(try temp.contents(of: directory.agreementKeyPath) == "AAAA")
        let other = TemporaryDirectory()
        let exposed = ConfigDirectory(path: other.path)
        let key = try AgreementKey.generate()
        try other.write(key.secretText, to: exposed.agreementKeyPath, mode: 0o644)
        #expect(throws: IdentityError.self) { try KeyStore(directory: exposed).loadOrCreateAgreementKey() }
    }
}
