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

    /// A pooled release over a registry change that removes a province is refused from the
    /// registry alone (whatever its schools counted), before anything is read or spent.
    @Test func aPooledReleaseAcrossAVanishedProvinceIsRefusedFromTheRegistry() throws {
        let s = try Scenario(schools: 150, ingested: ["2026-Q1", "2026-Q2"])
        let cli = s.cli
        try cli.expectOK("release", "create", "--period", "2026-Q1", "--out", "r1.sqlite")
        // Every school of the first province moves into the second.
        let lines = cli.read("syn/registry.csv").split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let fields = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let provinces = fields.map { $0[4] }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let (gone, into) = (
            provinces[0],
            try #require(fields.first { $0[4] != provinces[0] && $0[2] == fields[0][2] } ?? fields.first { $0[4] != provinces[0] })
        )
        let moved = fields.map { f in f[4] == gone ? Array(f[0..<2]) + [into[2], into[3], into[4], into[5]] + Array(f[6...]) : f }
        cli.write("registry-2.csv", ([lines[0]] + moved.map { $0.joined(separator: ",") }).joined(separator: "\n") + "\n")
        try cli.expectOK("registry", "import", "registry-2.csv")
        let before = try s.storeDump()
        let pooled = try cli.run("release", "create", "--periods", "2026-Q1..2026-Q2", "--rho", "0.5", "--out", "p.sqlite")
        #expect(pooled.status == 1)
        #expect(pooled.err.contains("province \(gone) has open schools in 2026-Q1"), "\(pooled.err)")
        #expect(try s.storeDump() == before)
        let plan = try cli.run("release", "create", "--periods", "2026-Q1..2026-Q2", "--rho", "0.5", "--plan-only")
        #expect(plan.status == 1 && plan.err.contains("spans a registry change"))
    }
}
