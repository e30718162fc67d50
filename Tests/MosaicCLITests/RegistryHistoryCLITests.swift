import Foundation
import Testing

/// A new registry, imported after a release, closes one school and opens another: the released
/// quarter's status reads byte for byte as before, and a release of the next quarter uses the new
/// registry for its values and its pupils alike.
@Suite struct RegistryHistoryCLITests {
    @Test func aNewRegistryNeverRewritesAReleasedQuarter() throws {
        let s = try Scenario(schools: 150, ingested: ["2026-Q1", "2026-Q2"])
        let cli = s.cli
        try cli.expectOK("release", "create", "--period", "2026-Q1", "--out", "r1.sqlite")
        let statusBefore = try cli.run("status", "--period", "2026-Q1")
        #expect(statusBefore.status == 0)
        // The new registry: the first school that reported in both quarters closes, a new one opens.
        let lines = cli.read("syn/registry.csv").split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let reported = { (q: String) in Set((try? FileManager.default.contentsOfDirectory(atPath: cli.folder + "/syn/counts/" + q)) ?? []) }
        let both = reported("2026-Q1").intersection(reported("2026-Q2"))
        let closing = try #require(lines.dropFirst().first { both.contains(String($0.prefix { $0 != "," }) + ".csv") })
        let closedID = String(closing.prefix { $0 != "," })
        let opened = "ES-999999" + closing.drop { $0 != "," }.replacingOccurrences(of: "Centro sintético", with: "Centro nuevo")
        let newLines = [lines[0]] + lines.dropFirst().filter { $0 != closing } + [opened]
        cli.write("registry-2.csv", newLines.joined(separator: "\n") + "\n")
        let imported = try cli.run("registry", "import", "registry-2.csv")
        #expect(imported.status == 0, "\(imported.err)")
        #expect(imported.out.contains("1 added") && imported.out.contains("1 marked closed"))
        #expect(imported.out.contains("It holds from 2026-Q2 (2026-Q1 is the latest released)"))
        // The released quarter: byte for byte as before.
        let statusAfter = try cli.run("status", "--period", "2026-Q1")
        #expect(statusAfter.out == statusBefore.out)
        // The next quarter: the new school is missing, the closed one is not counted.
        let next = try cli.run("status", "--period", "2026-Q2")
        #expect(next.out.contains("ES-999999"))
        #expect(!next.out.contains(closedID))
        // A release of it: registered schools and pupils from the new registry.
        try cli.expectOK("release", "create", "--period", "2026-Q2", "--out", "r2.sqlite")
        let coverage = try s.sql(
            "SELECT registered_schools || ' ' || registered_enrolment FROM coverage WHERE level = 'country'",
            database: cli.folder + "/r2.sqlite")
        let enrolment = newLines.dropFirst().compactMap { line -> Int? in
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            return f.count > 8 ? Int(f[8]) : nil
        }
        #expect(coverage == "\(newLines.count - 1) \(enrolment.reduce(0, +))")
        // Its values count the schools open then: the quarter's frozen registry has the new school
        // (not reporting) and not the closed one.
        #expect(try s.sql("SELECT counted FROM quarter_registry WHERE period = '2026-Q2' AND school_id = 'ES-999999'") == "0")
        #expect(try s.sql("SELECT count(*) FROM quarter_registry WHERE period = '2026-Q2' AND school_id = '\(closedID)'") == "0")
        // A registry cannot take effect from a released quarter.
        let refused = try cli.run("registry", "import", "--from", "2026-Q2", "syn/registry.csv")
        #expect(refused.status == 1)
        #expect(refused.err.contains("2026-Q2 is released"), "\(refused.err)")
        // The registry as it held then.
        let then = try cli.run("registry", "show", "--as-of", "2026-Q1")
        let now = try cli.run("registry", "show")
        #expect(then.out != now.out)
    }
}
