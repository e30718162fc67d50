import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A small authority set up through the CLI, with helpers to look at its state from outside:
/// the store through the `sqlite3` tool, files by their bytes.
struct Scenario {
    let cli: CLI
    var folder: String { cli.folder }
    var store: String { cli.folder + "/mosaic.sqlite" }

    /// Synthetic registry and counts (`syn/`), a store with the registry, `ingested` quarters
    /// stored, and the authority key (`mosaic-authority.key`).
    init(schools: Int = 300, ingested: [String] = ["2026-Q1"]) throws {
        cli = try CLI()
        try cli.expectOK("synth", "--out", "syn", "--schools", "\(schools)", "--quarters", "2", "--last", "2026-Q2")
        try cli.expectOK("init")
        try cli.expectOK("registry", "import", "syn/registry.csv")
        for q in ingested { try cli.expectOK("ingest", "--unsealed", "syn/counts/\(q)") }
        try cli.expectOK("keys", "init")
    }

    /// Runs `sqlite3` on the store (read-only) and returns its output.
    func sql(_ query: String, database: String? = nil) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = ["-readonly", database ?? store, query]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The store's whole content as SQL text (independent of WAL and page layout).
    func storeDump() throws -> String { try sql(".dump") }

    /// Every file under the folder (but the store and its WAL files) with its bytes, as one text.
    func filesDigest(excludingStore: Bool = true) -> String {
        let fm = FileManager.default
        var lines: [String] = []
        let names = (fm.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted()
        for name in names where !name.hasPrefix("syn/") && name != "syn" {
            if excludingStore && name.hasPrefix("mosaic.sqlite") { continue }
            let path = folder + "/" + name
            var isDir: ObjCBool = false
            fm.fileExists(atPath: path, isDirectory: &isDir)
            let mode = (try? fm.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
            let data = isDir.boolValue ? Data() : (fm.contents(atPath: path) ?? Data())
            lines.append("\(name) \(String(mode, radix: 8)) \(data.count) \(data.hashValue)")
        }
        return lines.joined(separator: "\n")
    }

    /// Mosaic's temporary files anywhere under the folder.
    func temporaryFiles() -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).filter { $0.contains(".mosaic-tmp-") }
    }

    /// Starts the command and kills it with SIGKILL after `delay` seconds (if still running).
    func runKilled(after delay: Double, _ args: [String]) throws -> Bool {
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: folder)
        p.environment = cli.processEnvironment
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        usleep(useconds_t(max(0, delay) * 1_000_000))
        let killed = p.isRunning
        if killed { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        return killed
    }

    /// Runs the command under `strace` and kills it (SIGKILL) when it enters the `when`-th call
    /// of `syscall` (before that call does anything): an exact kill point. False when strace is
    /// missing.
    @discardableResult
    func runKilled(at syscall: String, _ when: Int, _ args: [String]) throws -> Bool {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else { return false }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/strace")
        p.arguments =
            ["-f", "-o", "/dev/null", "-e", "trace=\(syscall)", "-e", "inject=\(syscall):signal=KILL:when=\(when)", CLI.binary.path] + args
        p.currentDirectoryURL = URL(fileURLWithPath: folder)
        p.environment = cli.processEnvironment
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return true
    }

    /// Seconds an uninterrupted run of the command takes.
    func timed(_ args: [String]) throws -> (seconds: Double, result: CLI.Result) {
        let start = Date()
        let r = try cli.run(args)
        return (Date().timeIntervalSince(start), r)
    }

    /// Copies the store (closed, so its WAL is checkpointed) aside, and puts a copy back.
    func saveStore(as name: String) throws {
        let fm = FileManager.default
        try? fm.removeItem(atPath: folder + "/" + name)
        try fm.copyItem(atPath: store, toPath: folder + "/" + name)
    }

    func restoreStore(from name: String) throws {
        let fm = FileManager.default
        for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: store + suffix) }
        try fm.copyItem(atPath: folder + "/" + name, toPath: store)
    }
}

extension CLI {
    /// Runs and expects exit 0.
    func expectOK(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try run(args)
        #expect(r.status == 0, "mosaic \(args.joined(separator: " ")): \(r.err)", sourceLocation: sourceLocation)
    }
}

/// A small seeded generator for kill instants (SplitMix64).
struct KillClock {
    var state: UInt64
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }

    /// `n` instants spread over `[0, span]`: one in each of n equal slices, at a seeded place.
    mutating func instants(_ n: Int, over span: Double) -> [Double] {
        (0..<n).map { i in span * (Double(i) + next()) / Double(n) }
    }
}
