import Foundation
import Testing

/// Runs the built `mosaic` executable and pins its output and exit codes: the CLI is a contract.
struct CLI {
    static let binary: URL = {
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("mosaic"),
            Bundle.main.bundleURL.appendingPathComponent("mosaic"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug/mosaic").standardized,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    let folder: String
    var environment: [String: String] = [:]

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    /// The private state folder of this CLI's commands (the journal of interrupted writes): one
    /// per test folder, beside it.
    var stateFolder: String { folder + ".state" }

    /// The environment a command runs with: this process's, without a store default, with the
    /// test's own state folder, and `environment` on top.
    var processEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "MOSAIC_STORE")
        env["MOSAIC_STATE_DIR"] = stateFolder
        for (k, v) in environment { env[k] = v }
        return env
    }

    struct Result {
        var status: Int32
        var out: String
        var err: String
    }

    @discardableResult
    func run(_ args: String...) throws -> Result { try run(args) }

    func run(_ args: [String]) throws -> Result {
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: folder)
        p.environment = processEnvironment
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    func write(_ name: String, _ text: String) {
        _ = FileManager.default.createFile(atPath: folder + "/" + name, contents: Data(text.utf8))
    }

    func read(_ name: String) -> String { (try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)) ?? "" }

    static let registry = """
        school_id,school_name,region_code,region_name,province_code,province_name,municipality_code,municipality_name,enrolment,stage,sector
        A1,Colegio A1,R1,Norte,P1,Alta,,,400,secondary,public
        A2,Colegio A2,R1,Norte,P1,Alta,,,250,primary,charter
        B1,Colegio B1,R2,Sur,P2,Baja,,,600,combined,public

        """
}

@Suite struct CLITests {
    @Test func helpListsTheCommands() throws {
        let r = try CLI().run("--help")
        #expect(r.status == 0)
        for command in ["init", "codebook", "registry", "template", "validate", "ingest", "status", "history", "synth", "demo"] {
            #expect(r.out.contains("  \(command)"), "help lacks \(command)")
        }
    }

    @Test func theAuthorityWorkflowFromInitToStatus() throws {
        let cli = try CLI()
        cli.write("registry.csv", CLI.registry)
        #expect(try cli.run("init").status == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: cli.folder + "/mosaic.sqlite")[.posixPermissions] as! NSNumber
        #expect(mode.intValue & 0o777 == 0o600)
        let imported = try cli.run("registry", "import", "registry.csv")
        #expect(imported.status == 0)
        #expect(imported.out.contains("3 added"))
        let show = try cli.run("registry", "show")
        #expect(show.out.contains("Norte") && show.out.contains("total"))

        #expect(try cli.run("template", "--school", "A1", "--period", "2026-Q2", "--nothing-to-report", "--out", "a1.csv").status == 0)
        #expect(
            try cli.run("template", "--school", "B1", "--period", "2026-Q2", "--format", "json", "--nothing-to-report", "--out", "b1.json")
                .status == 0)
        let validated = try cli.run("validate", "--store", "mosaic.sqlite", "a1.csv", "b1.json")
        #expect(validated.status == 0)
        #expect(validated.out.contains("2 of 2 files valid"))

        let ingested = try cli.run("ingest", "--unsealed", "a1.csv", "b1.json")
        #expect(ingested.status == 0, "\(ingested.out)\(ingested.err)")
        #expect(ingested.out.contains("2 stored"))
        let again = try cli.run("ingest", "--unsealed", "a1.csv")
        #expect(again.status == 0)
        #expect(again.out.contains("unchanged: a1.csv"))

        let status = try cli.run("status", "--period", "2026-Q2")
        #expect(status.status == 0)
        #expect(status.out.contains("Missing in R1 Norte (1):\n  A2"))
        #expect(status.out.contains("total") && status.out.contains("66.7 %"))

        let history = try cli.run("history", "--school", "A1", "--period", "2026-Q2")
        #expect(history.out.contains("a1.csv") && history.out.contains("current"))
    }

    @Test func aBadFileExitsNonZeroNamingFileLineAndField() throws {
        let cli = try CLI()
        cli.write("registry.csv", CLI.registry)
        try cli.run("init")
        try cli.run("registry", "import", "registry.csv")
        try cli.run("template", "--school", "A1", "--period", "2026-Q2", "--nothing-to-report", "--out", "a1.csv")
        cli.write("bad.csv", cli.read("a1.csv").replacingOccurrences(of: "A1,2026-Q2,tools,nudify,0", with: "A1,2026-Q2,tools,nudify,-1"))
        let r = try cli.run("ingest", "--unsealed", "bad.csv")
        #expect(r.status == 1)
        #expect(r.out.contains("rejected: bad.csv:"))
        #expect(r.out.contains("field 'count': is negative"))
        #expect(r.out.contains("0 stored"))
    }

    @Test func theStoreComesFromTheEnvironmentWhenNotGiven() throws {
        var cli = try CLI()
        cli.environment["MOSAIC_STORE"] = cli.folder + "/elsewhere.sqlite"
        #expect(try cli.run("init").status == 0)
        #expect(FileManager.default.fileExists(atPath: cli.folder + "/elsewhere.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: cli.folder + "/mosaic.sqlite"))
        let explicit = try cli.run("init", "--store", "flag.sqlite")
        #expect(explicit.status == 0)
        #expect(FileManager.default.fileExists(atPath: cli.folder + "/flag.sqlite"))
    }

    @Test func commandsWithoutAStoreSayHowToMakeOne() throws {
        let r = try CLI().run("status", "--period", "2026-Q2")
        #expect(r.status != 0)
        #expect(r.err.contains("no store here; create one with 'mosaic init'"))
    }

    @Test func badArgumentsAreUsageErrors() throws {
        let cli = try CLI()
        let r = try cli.run("template", "--school", "A1", "--period", "2026-Q7")
        #expect(r.status == 64)
        #expect(r.err.contains("a quarter is written YYYY-Qn"))
        #expect(try cli.run("init", "--store", "missing-dir/x.sqlite").status == 1)
    }

    @Test func codebookPrintsForPeopleAndPrograms() throws {
        let cli = try CLI()
        let text = try cli.run("codebook")
        #expect(text.status == 0 && text.out.contains("shared.pupil_14_15.female"))
        let json = try cli.run("codebook", "--format", "json")
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        #expect(object?["version"] as? Int == 1)
    }

    @Test func validateWithoutAStoreChecksTheFileAlone() throws {
        let cli = try CLI()
        try cli.run("template", "--school", "ZZ9", "--period", "2026-Q2", "--nothing-to-report", "--out", "z.csv")
        let r = try cli.run("validate", "z.csv")
        #expect(r.status == 0)
        #expect(r.out.contains("no registry checks"))
        cli.write("empty.csv", "")
        let bad = try cli.run("validate", "empty.csv")
        #expect(bad.status == 1)
        #expect(bad.out.contains("empty.csv:1: the file is empty"))
    }

    @Test func releasesAreCreatedListedExportedAndRefusedOverBudget() throws {
        let cli = try CLI()
        try cli.run("synth", "--schools", "120", "--quarters", "1", "--out", "data")
        try cli.run("init")
        try cli.run("registry", "import", "data/registry.csv")
        #expect(try cli.run("ingest", "--unsealed", "data/counts").status == 0)
        let created = try cli.run("release", "create", "--period", "2026-Q3", "--out", "r.sqlite", "--csv", "r-csv", "--replicates", "5")
        #expect(created.status == 0, "\(created.err)")
        #expect(created.out.contains("Release 2026-Q3-R1 for 2026-Q3: ρ = 1 (ε = 7.767, δ = 1e-6)"))
        #expect(created.out.contains("Budget for 2026-Q3: 1 of 2 spent, 1 left."))
        // How many values each rule withheld, counted again from the file.
        let statuses = cli.read("r-csv/cells.csv").split(separator: "\n").dropFirst().map {
            $0.split(separator: ",").last.map(String.init) ?? ""
        }
        let n = { (s: String) in statuses.filter { $0 == s }.count }
        #expect(
            created.out.contains(
                "\(n("below_k")) fewer than 5 (below_k), \(n("small_area")) in small areas (small_area), \(n("complementary")) to protect them from subtraction (complementary); the interval audit passed."
            ), "\(created.out)")
        #expect(n("below_k") > 0)
        #expect(
            cli.read("r-csv/coverage.csv").hasPrefix(
                "period,level,geo_code,geo_name,registered_schools,registered_enrolment,coverage_status,reporting_share_low,reporting_share_high\n"
            ))
        let list = try cli.run("release", "list")
        #expect(list.out.contains("2026-Q3-R1") && list.out.contains("1/2"))
        let export = try cli.run("release", "export", "2026-Q3-R1", "--out", "again.sqlite", "--csv", "again-csv")
        #expect(export.status == 0)
        #expect(cli.read("r-csv/cells.csv") == cli.read("again-csv/cells.csv"))
        #expect(cli.read("r-csv/metadata.csv") == cli.read("again-csv/metadata.csv"))
        #expect(!cli.read("r-csv/cells.csv").isEmpty)

        // The plan alone: nothing read, nothing spent, nothing written; --out not needed.
        let budgetBefore = try cli.run("budget").out
        let filesBefore = try FileManager.default.contentsOfDirectory(atPath: cli.folder).sorted()
        let plan = try cli.run("release", "create", "--period", "2026-Q3", "--plan-only", "--weights", "optimised")
        #expect(plan.status == 0, "\(plan.err)")
        #expect(plan.out.contains("nothing read, nothing spent") && plan.out.contains("total/province"))
        #expect(plan.out.contains("Total ρ of the groups: 1 "))
        // The breakdowns' groups, with the mean margin of their parts.
        #expect(plan.out.contains("total/region by stage") && plan.out.contains("mean over the parts"))
        // The optimiser chose the breakdowns' share too, and says what it gives them.
        #expect(plan.out.contains("against stage=10 sector=10 (the breakdowns get"))
        #expect(try cli.run("budget").out == budgetBefore)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.folder).sorted() == filesBefore)
        #expect(try cli.run("release", "create", "--period", "2026-Q3", "--weights", "best", "--plan-only").status != 0)
        #expect(try cli.run("release", "create", "--period", "2026-Q3").status != 0, "--out is required for a release")

        // Either one quarter or quarters pooled, never both, and a span written FIRST..LAST.
        #expect(try cli.run("release", "create", "--period", "2026-Q3", "--periods", "2026-Q2..2026-Q3", "--plan-only").status != 0)
        let backwards = try cli.run("release", "create", "--periods", "2026-Q3..2026-Q2", "--plan-only")
        #expect(backwards.status != 0 && backwards.err.contains("FIRST..LAST"))

        let over = try cli.run("release", "create", "--period", "2026-Q3", "--rho", "1.5", "--out", "over.sqlite")
        #expect(over.status == 1)
        #expect(
            over.err.contains("refused: the release would spend ρ = 1.5 on 2026-Q3, but 1 of the quarter's cap 2 is already spent (1 left)")
        )
        #expect(!FileManager.default.fileExists(atPath: cli.folder + "/over.sqlite"))
        let budget = try cli.run("budget")
        #expect(budget.out.contains("2026-Q3") && budget.out.contains("7.767"))
        #expect(try cli.run("budget", "set", "--period", "2026-Q3", "--rho", "3").status == 0)
        #expect(
            try cli.run("release", "create", "--period", "2026-Q3", "--rho", "1.5", "--out", "over.sqlite", "--replicates", "0").status == 0
        )
    }

    @Test func noSeedCanBeGivenForARealRelease() throws {
        let r = try CLI().run("release", "create", "--period", "2026-Q3", "--out", "x.sqlite", "--seed", "1")
        #expect(r.status == 64)
        let help = try CLI().run("release", "create", "--help")
        #expect(!help.out.lowercased().contains("seed "))
    }

    @Test func aSchoolSealsAndTheAuthorityVerifiesAndIngests() throws {
        let cli = try CLI()
        cli.write("registry.csv", CLI.registry)
        try cli.run("init")
        try cli.run("registry", "import", "registry.csv")
        let keys = try cli.run("keys", "init")
        #expect(keys.status == 0, "\(keys.err)")
        let mode = try FileManager.default.attributesOfItem(atPath: cli.folder + "/mosaic-authority.key")[.posixPermissions] as! NSNumber
        #expect(mode.intValue & 0o777 == 0o600)
        #expect(!keys.out.contains(cli.read("mosaic-authority.key").components(separatedBy: "\"private_key\" : \"").last!.prefix(20)))
        // Issued by the authority for A1; made by the school itself for B1.
        #expect(try cli.run("registry", "credentials", "--school", "A1", "--out", "a1.cred").status == 0)
        #expect(
            try cli.run("keys", "school", "--school", "B1", "--authority-public", "mosaic-authority.key.pub", "--out", "b1.cred").status
                == 0)
        #expect(try cli.run("registry", "credentials", "--school", "B1", "--public-key", "b1.cred.pub").status == 0)
        try cli.run("template", "--school", "A1", "--period", "2026-Q2", "--nothing-to-report", "--out", "a1.csv")
        try cli.run("template", "--school", "B1", "--period", "2026-Q2", "--nothing-to-report", "--out", "b1.csv")
        let sealed = try cli.run("seal", "a1.csv", "--credentials", "a1.cred")
        #expect(sealed.status == 0)
        let name = try #require(sealed.out.components(separatedBy: " into ").last?.components(separatedBy: " ").first)
        #expect(name.hasPrefix("mosaic-") && name.hasSuffix(".mpkg") && !name.contains("A1"))
        #expect(try cli.run("seal", "b1.csv", "--credentials", "b1.cred", "--out", "b1.mpkg").status == 0)
        #expect(try cli.run("seal", "b1.csv", "--credentials", "a1.cred", "--out", "x.mpkg").status != 0)

        let ingested = try cli.run("ingest", name, "b1.mpkg")
        #expect(ingested.status == 0, "\(ingested.out)")
        #expect(ingested.out.contains("2 stored"))
        #expect(try cli.run("history", "--school", "A1", "--period", "2026-Q2").out.contains("sealed"))
        // Plain files need --unsealed; a revoked key is refused.
        let plain = try cli.run("ingest", "a1.csv")
        #expect(plain.status == 1 && plain.out.contains("--unsealed"))
        #expect(try cli.run("registry", "revoke", "--school", "B1").status == 0)
        let revoked = try cli.run("ingest", "b1.mpkg")
        #expect(revoked.status == 1 && revoked.out.contains("revoked"))
        #expect(try cli.run("registry", "keys").out.contains("revoked"))
    }

    @Test func researchersQueryAndPolicymakersGetReports() throws {
        let cli = try CLI()
        try cli.run("synth", "--schools", "150", "--quarters", "2", "--out", "data")
        try cli.run("init")
        try cli.run("registry", "import", "data/registry.csv")
        try cli.run("ingest", "--unsealed", "data/counts")
        #expect(try cli.run("release", "create", "--period", "2026-Q2", "--out", "q2.sqlite", "--replicates", "20").status == 0)
        #expect(try cli.run("release", "create", "--period", "2026-Q3", "--out", "q3.sqlite", "--replicates", "20").status == 0)

        let q = try cli.run("query", "q2.sqlite", "q3.sqlite", "--table", "channels", "--by", "period", "--format", "csv")
        #expect(q.status == 0, "\(q.err)")
        #expect(q.out.hasPrefix("period,value,moe95,lower,upper,cells,suppressed,status\n2026-Q2,"))
        let json = try cli.run("query", "q3.sqlite", "--table", "tools", "--by", "tool", "--format", "json")
        let rows = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]]
        #expect(rows?.count == 4)
        #expect(try cli.run("query", "mosaic.sqlite", "--table", "tools").err.contains("raw store"))
        #expect(try cli.run("query", "q3.sqlite", "--sql", "DELETE FROM cells").status == 1)
        #expect(try cli.run("query", "q3.sqlite", "--table", "tools", "--sql", "SELECT 1").status == 64)
        // Typos are errors, not empty answers; a region filter asks for the region's own cells.
        let typo = try cli.run("query", "q3.sqlite", "--table", "total", "--where", "region=Sur")
        #expect(typo.status == 1 && typo.err.contains("no region 'Sur' in the releases") && typo.err.contains("ES-AN"), "\(typo.err)")
        let one = try cli.run("query", "q3.sqlite", "--table", "total", "--where", "region=ES-AR", "--format", "csv")
        #expect(one.status == 0 && one.out.split(separator: "\n").count == 2, "\(one.out)\(one.err)")
        let quarter = try cli.run("query", "q3.sqlite", "--table", "total", "--by", "period", "--where", "period=2027-Q1")
        #expect(quarter.status == 1 && quarter.err.contains("no period '2027-Q1'"))
        let unknown = try cli.run("history", "--school", "TZ-9999", "--period", "2026-Q3")
        #expect(unknown.status == 1 && unknown.err.contains("unknown school TZ-9999"))
        let future = try cli.run("status", "--period", "2099-Q1")
        #expect(future.status == 1 && future.err.contains("in the future"))

        let report = try cli.run(
            "report", "--release", "q2.sqlite", "q3.sqlite", "--lang", "es", "--format", "html,md,csv,json", "--out", "rep")
        #expect(report.status == 0, "\(report.err)")
        #expect(cli.read("rep/report-country-es.md").contains("## Puntos principales"))
        #expect(cli.read("rep/report-country-es.html").hasPrefix("<!DOCTYPE html>"))
        #expect(try cli.run("report", "--release", "q3.sqlite", "--lang", "fr", "--out", "rep").status == 64)
    }
}
