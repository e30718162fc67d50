import Foundation
import MosaicCodebook
import MosaicIntake
import MosaicRegistry

/// Where a synthetic data set was written.
public struct SyntheticFiles: Sendable {
    /// The registry CSV.
    public var registry: String
    /// Counts files per quarter, in period order.
    public var counts: [Period: [String]]
    /// Every counts file, quarter by quarter.
    public var allCounts: [String] { counts.keys.sorted().flatMap { counts[$0]! } }
}

extension SyntheticCountry {
    /// Writes `registry.csv` and `counts/PERIOD/SCHOOL.csv` under `folder`.
    ///
    /// - Parameters:
    ///   - labels: write the optional label column (as the template does).
    ///   - progress: called with (files written, files in all, estimated).
    public func write(to folder: String, labels: Bool = false, progress: ((Int, Int) -> Void)? = nil) throws -> SyntheticFiles {
        let fm = FileManager.default
        try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let registry = (folder as NSString).appendingPathComponent("registry.csv")
        try RegistryFile.write(schools).write(toFile: registry, atomically: true, encoding: .utf8)
        var counts: [Period: [String]] = [:]
        let expected = schools.count * config.periods.count
        var done = 0
        for period in config.periods {
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
        return SyntheticFiles(registry: registry, counts: counts)
    }
}

/// Writes a small file with plain POSIX calls: no temporary file, no rename, no sync (these are
/// synthetic files, written by the thousand).
private func writeFile(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
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
    guard ok else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
}
