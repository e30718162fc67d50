import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why an output cannot be written. Messages name the path and say what to do; they never
/// carry Foundation's error text.
public enum OutputError: Error, LocalizedError, Equatable {
    /// A file (or folder) is already at the path: Mosaic never replaces one.
    case exists(String)
    /// The folder that would hold the file does not exist.
    case folderMissing(String)
    /// The folder exists but this user cannot write in it.
    case notWritable(String)
    /// The path is the authority's store (or its journal): never an output.
    case isStore(String)
    /// Writing failed for a reason of the file system (disk full, I/O error).
    case cannotWrite(String, String)

    /// A message for people: what went wrong and, where it helps, what to do.
    public var errorDescription: String? {
        switch self {
        case .exists(let p): return "\(p): a file is already there; Mosaic never replaces a file: choose another name or move it away"
        case .folderMissing(let p): return "\(p): its folder does not exist; create it first"
        case .notWritable(let p): return "\(p): its folder cannot be written by this user"
        case .isStore(let p): return "\(p): this is the authority's store; choose another output"
        case .cannotWrite(let p, let why): return "\(p): cannot be written (\(why))"
        }
    }
}

/// Writes files all or nothing: check first, write under a temporary name in the same folder,
/// flush to disk, then give the file its name without ever replacing one.
///
/// A temporary file is named `.<name>.mosaic-tmp-<random>` beside its final path, created with
/// mode 0600, so that nobody reads it before it is complete. Publishing uses `link(2)` then
/// `unlink(2)`: the final name appears whole or not at all, and an existing file is never
/// replaced (`link` fails with `EEXIST`).
///
/// ```swift
/// try AtomicFile.check(["report.html", "report.csv"])
/// try AtomicFile.writeAll([("report.html", html), ("report.csv", csv)])
/// ```
public enum AtomicFile {
    /// The marker inside every temporary file name.
    public static let temporaryMarker = ".mosaic-tmp-"

    /// Checks that each path can be written as a new file: nothing there yet, its folder exists
    /// and is writable, and it is none of `forbidden` (compared after resolving links).
    ///
    /// - Throws: ``OutputError``.
    public static func check(_ paths: [String], forbidden: [String] = []) throws {
        let fm = FileManager.default
        let forbiddenResolved = Set(
            forbidden.flatMap { [resolved($0), resolved($0 + "-wal"), resolved($0 + "-shm"), resolved($0 + "-journal")] })
        var seen = Set<String>()
        for path in paths {
            let r = resolved(path)
            if forbiddenResolved.contains(r) { throw OutputError.isStore(path) }
            guard seen.insert(r).inserted else { throw OutputError.exists(path) }
            guard !path.hasSuffix("/"), !nameOf(path).isEmpty else {
                throw OutputError.cannotWrite(path, "a file name is needed, not a folder")
            }
            guard nameOf(path).utf8.count <= 200 else { throw OutputError.cannotWrite(path, "the file name is longer than 200 bytes") }
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: path, isDirectory: &isDir) || entryExists(path) { throw OutputError.exists(path) }
            let folder = folderOf(path)
            guard fm.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else { throw OutputError.folderMissing(path) }
            guard access(folder, W_OK | X_OK) == 0 else { throw OutputError.notWritable(path) }
        }
    }

    /// The folder that holds `path` ("." for a bare name).
    public static func folderOf(_ path: String) -> String {
        // Plain string work: NSString's path methods trap on some short names on Linux.
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    /// The last component of `path` (the file's own name).
    public static func nameOf(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// A fresh temporary path beside `path`.
    public static func temporaryPath(for path: String) -> String {
        let name = nameOf(path)
        let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        return folderOf(path) + "/.\(name)\(temporaryMarker)\(token)"
    }

    /// True when `name` (a file name, not a path) is one of Mosaic's temporary files.
    public static func isTemporaryName(_ name: String) -> Bool { name.hasPrefix(".") && name.contains(temporaryMarker) }

    /// True when `name` is exactly the pattern ``temporaryPath(for:)`` makes for the file
    /// `final`: `.<final>.mosaic-tmp-` followed by 12 lowercase hexadecimal digits.
    public static func isTemporaryName(_ name: String, of final: String) -> Bool {
        let prefix = "." + final + temporaryMarker
        guard name.hasPrefix(prefix) else { return false }
        let token = name.dropFirst(prefix.count)
        return token.count == 12 && token.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }

    /// Creates an empty temporary file beside `path` (mode 0600, exclusive) and returns its path.
    public static func createTemporary(for path: String) throws -> String {
        try createTemporary(at: temporaryPath(for: path), for: path)
    }

    /// Creates the empty temporary file `temp` (mode 0600, exclusive) for `path`.
    @discardableResult
    public static func createTemporary(at temp: String, for path: String) throws -> String {
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OutputError.cannotWrite(path, describe(errno)) }
        close(fd)
        return temp
    }

    /// Writes `data` to a new temporary file beside `path`, flushed to disk, mode 0600; returns its path.
    public static func writeTemporary(_ data: Data, for path: String) throws -> String {
        try writeTemporary(data, at: temporaryPath(for: path), for: path)
    }

    /// Writes `data` to the new file `temp` (a name from ``temporaryPath(for:)``), flushed, mode 0600.
    @discardableResult
    public static func writeTemporary(_ data: Data, at temp: String, for path: String) throws -> String {
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OutputError.cannotWrite(path, describe(errno)) }
        var failure: Int32 = 0
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += n
            }
        }
        if failure == 0, fsync(fd) != 0 { failure = errno }
        close(fd)
        if failure != 0 {
            unlink(temp)
            throw OutputError.cannotWrite(path, describe(failure))
        }
        return temp
    }

    /// Flushes a finished temporary file to disk.
    public static func sync(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// Gives a finished temporary file its final name, never replacing a file, and sets its mode.
    ///
    /// - Throws: ``OutputError/exists(_:)`` when a file took the name meanwhile (the temporary
    ///   file is left in place for the caller to remove).
    ///
    /// The temporary file is opened without following links and must be a regular file of this
    /// user with no other name; its mode is set on the open file (never through a path a link
    /// could redirect), and after `link` the new name must be that very file (a file swapped in
    /// under the temporary name meanwhile is unnamed again and refused).
    public static func publish(temporary: String, to path: String, mode: mode_t = 0o644) throws {
        let fd = open(temporary, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw OutputError.cannotWrite(path, "its temporary file is gone, or is a link") }
        defer { close(fd) }
        var t = stat()
        guard fstat(fd, &t) == 0, (t.st_mode & S_IFMT) == S_IFREG, t.st_uid == getuid() else {
            throw OutputError.cannotWrite(path, "its temporary file is not a regular file of this user")
        }
        var f = stat()
        if lstat(path, &f) == 0 {
            // A crash between link and unlink leaves both names on one file: that is done, not a clash.
            if (f.st_mode & S_IFMT) == S_IFREG, f.st_dev == t.st_dev, f.st_ino == t.st_ino {
                fchmod(fd, mode)
                unlink(temporary)
                syncFolder(of: path)
                return
            }
            throw OutputError.exists(path)
        }
        guard t.st_nlink == 1 else { throw OutputError.cannotWrite(path, "its temporary file has other names") }
        guard fchmod(fd, mode) == 0 else { throw OutputError.cannotWrite(path, describe(errno)) }
        if link(temporary, path) != 0 {
            let e = errno
            throw e == EEXIST ? OutputError.exists(path) : OutputError.cannotWrite(path, describe(e))
        }
        var n = stat()
        guard lstat(path, &n) == 0, n.st_dev == t.st_dev, n.st_ino == t.st_ino else {
            unlink(path)
            throw OutputError.cannotWrite(path, "its temporary file was replaced while it was being named")
        }
        unlink(temporary)
        syncFolder(of: path)
    }

    /// True when `name` is named by Mosaic's exact temporary-name pattern for some final name.
    public static func isExactTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), let r = name.range(of: temporaryMarker, options: .backwards),
            name.index(after: name.startIndex) < r.lowerBound
        else { return false }
        let final = String(name[name.index(after: name.startIndex)..<r.lowerBound])
        return !final.isEmpty && isTemporaryName(name, of: final)
    }

    /// Writes several files all or nothing: checks them all, writes every one under a temporary
    /// name, then publishes them; on any failure removes what it wrote. `alongside` files carry
    /// their own mode (a public key beside a private one).
    public static func writeAll(
        _ files: [(path: String, data: Data)], mode: mode_t = 0o644, forbidden: [String] = [],
        alongside: [(path: String, data: Data, mode: mode_t)] = []
    ) throws {
        let all = files.map { ($0.path, $0.data, mode) } + alongside.map { ($0.path, $0.data, $0.mode) }
        try check(all.map(\.0), forbidden: forbidden)
        let batch = Batch()
        do {
            for f in all { try batch.write(f.1, to: f.0, mode: f.2) }
            _ = try batch.publish()
        } catch {
            batch.discard()
            throw error
        }
    }

    /// Files written under temporary names and published together, or not at all.
    ///
    /// ```swift
    /// let batch = AtomicFile.Batch()
    /// try batch.write(html, to: "report.html")
    /// try batch.write(csv, to: "report.csv")
    /// let written = try batch.publish()   // on failure, nothing is left
    /// ```
    public final class Batch {
        /// The temporary files so far, with the names they will take.
        public private(set) var files: [(temporary: String, path: String, mode: mode_t)] = []
        private var published: [String] = []

        /// An empty batch.
        public init() {}

        /// Writes `data` under a temporary name beside `path`.
        public func write(_ data: Data, to path: String, mode: mode_t = 0o644) throws {
            files.append((try AtomicFile.writeTemporary(data, for: path), path, mode))
        }

        /// Takes a temporary file written elsewhere (a SQLite file, a PDF) into the batch.
        public func adopt(temporary: String, for path: String, mode: mode_t = 0o644) { files.append((temporary, path, mode)) }

        private var manifest: String?

        /// Gives every file its name; if one cannot, removes the ones already named and every
        /// temporary file, and throws. With several files, a manifest in the user's private
        /// state folder lists them while they are named (``WriteJournal``), so that a run killed
        /// half-way is finished by the next one (``WriteJournal/recover(folders:)``).
        public func publish() throws -> [String] {
            do {
                if files.count > 1 { manifest = try WriteJournal.record(files) }
                for f in files {
                    try AtomicFile.publish(temporary: f.temporary, to: f.path, mode: f.mode)
                    published.append(f.path)
                }
                if let manifest { unlink(manifest) }
                return published
            } catch {
                discard()
                throw error
            }
        }

        /// Removes every temporary file and every file already published by this batch.
        public func discard() {
            for p in published { unlink(p) }
            for f in files { unlink(f.temporary) }
            if let manifest { unlink(manifest) }
            published = []
        }
    }

    /// Writes one file all or nothing (see ``writeAll(_:mode:forbidden:)``).
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o644, forbidden: [String] = []) throws {
        try writeAll([(path, data)], mode: mode, forbidden: forbidden)
    }

    /// Removes a file if it is there; true when something was removed.
    @discardableResult
    public static func remove(_ path: String) -> Bool { unlink(path) == 0 }

    /// True when both paths name the same file (same device and inode; links are not followed).
    public static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat()
        var sb = stat()
        guard lstat(a, &sa) == 0, lstat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    /// Flushes a folder's entries (the new name) to disk.
    public static func syncFolder(of path: String) {
        let fd = open(folderOf(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// True when anything, even a dangling link, is at `path`.
    static func entryExists(_ path: String) -> Bool {
        var s = stat()
        return lstat(path, &s) == 0
    }

    /// An absolute path with links and `.`/`..` resolved as far as the file system allows.
    public static func resolved(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        let url = URL(fileURLWithPath: absolute).standardizedFileURL
        // Resolve the folder (the file itself may not exist yet).
        let folder = url.deletingLastPathComponent().resolvingSymlinksInPath()
        return folder.appendingPathComponent(url.lastPathComponent).path
    }

    /// A short, plain description of an errno value.
    public static func describe(_ code: Int32) -> String {
        switch code {
        case ENOSPC: return "the disk is full"
        case EACCES, EPERM: return "permission denied"
        case EROFS: return "the file system is read-only"
        case ENOENT: return "its folder does not exist"
        case EEXIST: return "a file is already there"
        case EIO: return "input/output error"
        case EDQUOT: return "the disk quota is exceeded"
        case ENAMETOOLONG: return "the name is too long"
        case ENOTDIR: return "part of the path is not a folder"
        default: return "system error \(code)"
        }
    }
}
