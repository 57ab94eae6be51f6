import Foundation
import Testing

@Suite("conclave skill")
struct SkillVerbTests {
    @Test func theSkillIsCompleteAndGeneratedFromTheCommandTree() async throws {
        let result = try await CLIProcess.run(["skill"], environment: ["CONCLAVE_BIND": "10.9.8.7:1234"])
        #expect(result.status == 0)
        let skill = result.stdout
        #expect(skill.hasPrefix("---\n"))
        for text in [
            "name: conclave", "join_channel", "/join", "perm", "--as", "## Command reference", "conclave register",
            "conclave setup claude", "--dangerously-load-development-channels server:conclave", "### `conclave hook`",
            "### `conclave tail`", "### `conclave machine add`", "### `conclave skill install`", "--since",
        ] {
            #expect(skill.contains(text), "missing \(text)")
        }
        #expect(!skill.contains("mcp add --scope user conclave"))
        #expect(!skill.contains("10.9.8.7"), "environment values must not be baked in")
        #expect(try await CLIProcess.run(["skill", "show"]).stdout == skill)
    }

    @Test func installWritesSkillMarkdownUnderTheSkillsDirectory() async throws {
        let directory = TemporaryConfig()
        let result = try await CLIProcess.run(["skill", "install", "--dir", directory.path])
        #expect(result.status == 0)
        #expect(result.stdout == "✓ installed the conclave skill to \(directory.path)/conclave/SKILL.md\n")
        #expect(try directory.read("conclave/SKILL.md") == (try await CLIProcess.run(["skill"])).stdout)

        let again = try await CLIProcess.run(["skill", "install", "--dir", directory.path])
        #expect(again.status == 0)
        #expect(again.stdout.contains("already up to date"))

        // An edited skill is not overwritten silently.
        try directory.write("my own notes\n", to: "conclave/SKILL.md")
        let refused = try await CLIProcess.run(["skill", "install", "--dir", directory.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("pass --force to replace it"))
        #expect(try directory.read("conclave/SKILL.md") == "my own notes\n")
        #expect(try await CLIProcess.run(["skill", "install", "--dir", directory.path, "--force"]).status == 0)
        #expect(try directory.read("conclave/SKILL.md") != "my own notes\n")
    }
}
