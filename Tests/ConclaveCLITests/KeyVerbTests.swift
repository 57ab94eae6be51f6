import ConclaveIdentity
import Foundation
import Testing

@Suite("conclave key, --help, --version and exit codes (real binary)")
struct KeyVerbTests {
    @Test func keyIsCreatedPrivatelyAndIsIdempotent() async throws {
        let config = TemporaryConfig()
        let first = try await CLIProcess.run(["--config-dir", config.path, "key"])
        #expect(first.status == 0)
        let printed = first.stdout.trimmingCharacters(in: .newlines)
        #expect(printed.count == 43)
        #expect(try PublicKey(text: printed).text == printed)
        let attributes = try FileManager.default.attributesOfItem(atPath: config.path + "/key")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(first.stderr.contains("created a new machine key"))

        let second = try await CLIProcess.run(["key", "--config-dir", config.path])
        #expect(second.status == 0)
        #expect(second.stdout == first.stdout)
        #expect(!second.stderr.contains("created"))
    }

    @Test func aCorruptKeyIsAnErrorAndIsKept() async throws {
        let config = TemporaryConfig()
        try config.write("garbage!", to: "key")
        let result = try await CLIProcess.run(["key", "--config-dir", config.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("❌"))
        #expect(result.stderr.contains("left untouched"))
        #expect(try config.read("key") == "garbage!")
    }

    /// A result that cannot be written (here: a full disk) is an error, not a silent success.
    @Test func aFailedResultWriteIsReported() async throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let result = try await CLIProcess.run(["key", "--config-dir", TemporaryConfig().path], stdout: full)
        #expect(result.status == 1)
        #expect(result.stderr.contains("could not write to standard output"))
    }

    @Test func helpAndVersionExitZero() async throws {
        let help = try await CLIProcess.run(["--help"])
        #expect(help.status == 0)
        for verb in ["key", "perm", "completions"] { #expect(help.stdout.contains(verb)) }
        let version = try await CLIProcess.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("conclave "))
    }

    @Test func usageErrorsExitTwo() async throws {
        for arguments in [["bogus"], ["key", "--nope"], ["perm", "set"], ["completions", "tcsh"]] {
            let result = try await CLIProcess.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stdout.isEmpty)
            #expect(!result.stderr.isEmpty)
        }
    }

    @Test func jsonLogFormat() async throws {
        let config = TemporaryConfig()
        let result = try await CLIProcess.run(["key", "--config-dir", config.path], environment: ["CONCLAVE_LOG_FORMAT": "json"])
        let line = try #require(result.stderr.split(separator: "\n").first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let fields = try #require(object["fields"] as? [String: Any])
        #expect(fields["message"] as? String == "created a new machine key")
        #expect(object["level"] as? String == "INFO")
    }

    @Test func errorLineIsPrintedEvenWithLoggingOff() async throws {
        // A runtime failure (no server registered to take the scope), not a usage error.
        let result = try await CLIProcess.run(["perm", "set", "converse", "--whisper", "--config-dir", TemporaryConfig().path], environment: ["CONCLAVE_LOG": "off"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("❌ no --server given and no server is registered"))
    }

    /// A key written by `conclave key` must interoperate with an independent Ed25519
    /// implementation (Python's `cryptography`): same public key, and signatures verify both ways.
    @Test func keyInteroperatesWithAnotherEd25519Implementation() async throws {
        let config = TemporaryConfig()
        let printed = try await CLIProcess.run(["key", "--config-dir", config.path]).stdout.trimmingCharacters(in: .newlines)
        let message = "conclave interop check"
        let script = """
            import base64, sys
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
            from cryptography.hazmat.primitives import serialization
            seed = base64.urlsafe_b64decode(open(sys.argv[1]).read().strip() + "=")
            key = Ed25519PrivateKey.from_private_bytes(seed)
            raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            print(base64.urlsafe_b64encode(raw).decode().rstrip("="))
            print(key.sign(sys.argv[2].encode()).hex())
            """
        let python = try await CLIProcess.runExecutable(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, config.path + "/key", message])
        try #require(python.status == 0, "python3 with the cryptography package is needed (pip install cryptography)")
        let lines = python.stdout.split(separator: "\n")
        #expect(String(lines[0]) == printed)

        let key = try KeyStore(directory: ConfigDirectory(path: config.path)).load()
        let pythonSignature = stride(from: 0, to: lines[1].count, by: 2).compactMap { offset -> UInt8? in
            let start = lines[1].index(lines[1].startIndex, offsetBy: offset)
            return UInt8(lines[1][start..<lines[1].index(start, offsetBy: 2)], radix: 16)
        }
        #expect(key.publicKey.verify(signature: pythonSignature, for: Array(message.utf8)))
        // Ed25519 is deterministic: our signature must be byte-identical to the other library's.
        #expect(key.sign(Array(message.utf8)) == pythonSignature)
    }
}
