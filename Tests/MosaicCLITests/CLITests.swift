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
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "MOSAIC_STORE")
        for (k, v) in environment { env[k] = v }
        p.environment = env
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

        #expect(try cli.run("template", "--school", "A1", "--period", "2026-Q2", "--out", "a1.csv").status == 0)
        #expect(try cli.run("template", "--school", "B1", "--period", "2026-Q2", "--format", "json", "--out", "b1.json").status == 0)
        let validated = try cli.run("validate", "--store", "mosaic.sqlite", "a1.csv", "b1.json")
        #expect(validated.status == 0)
        #expect(validated.out.contains("2 of 2 files valid"))

        let ingested = try cli.run("ingest", "a1.csv", "b1.json")
        #expect(ingested.status == 0, "\(ingested.out)\(ingested.err)")
        #expect(ingested.out.contains("2 stored"))
        let again = try cli.run("ingest", "a1.csv")
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
        try cli.run("template", "--school", "A1", "--period", "2026-Q2", "--out", "a1.csv")
        cli.write("bad.csv", cli.read("a1.csv").replacingOccurrences(of: "A1,2026-Q2,tools,nudify,0", with: "A1,2026-Q2,tools,nudify,-1"))
        let r = try cli.run("ingest", "bad.csv")
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
        #expect(r.err.contains("--period must be a quarter"))
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
        try cli.run("template", "--school", "ZZ9", "--period", "2026-Q2", "--out", "z.csv")
        let r = try cli.run("validate", "z.csv")
        #expect(r.status == 0)
        #expect(r.out.contains("no registry checks"))
        cli.write("empty.csv", "")
        let bad = try cli.run("validate", "empty.csv")
        #expect(bad.status == 1)
        #expect(bad.out.contains("empty.csv:1: the file is empty"))
    }
}
