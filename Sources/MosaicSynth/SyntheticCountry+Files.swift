import Foundation
import MosaicCodebook
import MosaicCounts
import MosaicFiles
import MosaicRegistry

/// Where a synthetic data set was written.
public struct SyntheticFiles: Sendable {
    /// The registry CSV.
    public var registry: String
    /// Counts files per quarter (or the quarter's one archive), in period order.
    public var counts: [Period: [String]]
    /// How many counts files were written (in archives, their members).
    public var fileCount = 0
    /// Every counts file, quarter by quarter.
    public var allCounts: [String] { counts.keys.sorted().flatMap { counts[$0]! } }
}

extension SyntheticCountry {
    /// Writes `registry.csv` and `counts/PERIOD/SCHOOL.csv` under `folder`.
    ///
    /// - Parameters:
    ///   - labels: write the optional label column (as the template does).
    ///   - progress: called with (files written, files in all, estimated).
    ///
    /// All or nothing: the files are written into a temporary folder beside `folder`, which
    /// takes its name at the end. A `folder` that exists must be empty.
    /// - Parameter archive: write each quarter's counts files into one tar archive,
    ///   `counts/PERIOD.tar` (members `PERIOD/SCHOOL.csv`), instead of a folder of files; for
    ///   national-scale runs, where creating millions of small files costs more than reading them.
    public func write(
        to folder: String, labels: Bool = false, archive: Bool = false, progress: ((Int, Int) -> Void)? = nil
    ) throws -> SyntheticFiles {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: folder, isDirectory: &isDir) {
            guard isDir.boolValue, (try? fm.contentsOfDirectory(atPath: folder))?.isEmpty == true else { throw OutputError.exists(folder) }
        } else {
            try AtomicFile.check([folder])
        }
        let temporary = AtomicFile.temporaryPath(for: folder)
        do {
            try fm.createDirectory(atPath: temporary, withIntermediateDirectories: false)
            let written = try writeContent(to: temporary, labels: labels, archive: archive, progress: progress)
            if fm.fileExists(atPath: folder) { rmdir(folder) }
            guard rename(temporary, folder) == 0 else { throw OutputError.cannotWrite(folder, AtomicFile.describe(errno)) }
            AtomicFile.syncFolder(of: folder)
            let move = { (p: String) in folder + p.dropFirst(temporary.count) }
            var moved = SyntheticFiles(registry: move(written.registry), counts: written.counts.mapValues { $0.map(move) })
            moved.fileCount = written.fileCount
            return moved
        } catch {
            try? fm.removeItem(atPath: temporary)
            throw error
        }
    }

    func writeContent(to folder: String, labels: Bool, archive: Bool, progress: ((Int, Int) -> Void)?) throws -> SyntheticFiles {
        let fm = FileManager.default
        let registry = (folder as NSString).appendingPathComponent("registry.csv")
        try RegistryFile.write(schools).write(toFile: registry, atomically: true, encoding: .utf8)
        var counts: [Period: [String]] = [:]
        let expected = schools.count * config.periods.count
        var done = 0
        for period in config.periods where archive {
            let dir = (folder as NSString).appendingPathComponent("counts")
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let path = (dir as NSString).appendingPathComponent("\(period).tar")
            var tar = try TarWriter(path: path)
            for s in submissions(for: period) {
                let text = CountsFile.write(s, codebook: codebook, format: .csv, labels: labels)
                try tar.add(name: "\(period)/\(s.schoolID).csv", content: Array(text.utf8))
                done += 1
                if done % 500 == 0 { progress?(done, expected) }
            }
            try tar.finish()
            counts[period] = [path]
        }
        for period in config.periods where !archive {
            let dir = (folder as NSString).appendingPathComponent("counts/\(period)")
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            var paths: [String] = []
            for s in submissions(for: period) {
                let path = (dir as NSString).appendingPathComponent("\(s.schoolID).csv")
                let text = CountsFile.write(s, codebook: codebook, format: .csv, labels: labels)
                try writeFile(path, text)
                paths.append(path)
                done += 1
                if done % 500 == 0 { progress?(done, expected) }
            }
            counts[period] = paths
        }
        progress?(expected, expected)
        var files = SyntheticFiles(registry: registry, counts: counts)
        files.fileCount = done
        return files
    }
}

/// Writes a small file with plain POSIX calls: no temporary file, no rename, no sync (these are
/// synthetic files, written by the thousand).
private func writeFile(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw OutputError.cannotWrite(path, AtomicFile.describe(errno)) }
    defer { close(fd) }
    var text = text
    let ok = text.withUTF8 { buf in
        var offset = 0
        while offset < buf.count {
            let n = write(fd, buf.baseAddress! + offset, buf.count - offset)
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
    guard ok else { throw OutputError.cannotWrite(path, AtomicFile.describe(errno)) }
}
