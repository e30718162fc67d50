import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The journal of multi-file writes made without a store (`report --out`, `query --export`,
/// `keys init`, `keys school`): while a batch of finished temporary files takes its names, a
/// small manifest lists them, so that a command killed half-way is finished by the next one.
///
/// Recovery trusts only what Mosaic itself wrote where only Mosaic writes:
/// - manifests live in the user's private state folder (``StateFolder``, mode 0700, owned by the
///   user), never in an output folder; a `.mosaic-batch-*` file in a shared folder is data and
///   is never read;
/// - a manifest is bound to the process that made it (pid *and* start time; a pid of 0 or an
///   unknown start time is not a process, and such a manifest is ignored);
/// - an entry is finished only when its temporary file sits in the same folder as its final
///   name, is named by Mosaic's own temporary-name pattern for that name, and is a regular file
///   owned by the user with one link; anything else is reported and left alone. Nothing is ever
///   moved from another folder, and nothing is ever deleted but the manifest itself.
public enum WriteJournal {
    /// A manifest's file name prefix inside the state folder.
    static let manifestPrefix = "batch-"

    /// One file of a batch: its temporary name, its final name and the mode it takes.
    struct Entry: Codable, Equatable {
        var temporary: String
        var path: String
        var mode: Int
    }

    /// A manifest: who made it and what it names.
    struct Manifest: Codable {
        var pid: Int32
        var start: String
        var files: [Entry]
    }

    /// Records a batch about to take its names; returns the manifest's path (to remove when done).
    static func record(_ files: [(temporary: String, path: String, mode: mode_t)]) throws -> String {
        let folder = try StateFolder.path()
        let me = ProcessIdentity.current
        guard me.pid > 0, !me.start.isEmpty else {
            throw OutputError.cannotWrite(folder, "this process cannot tell its own start time, which recovery needs")
        }
        let manifest = Manifest(
            pid: me.pid, start: me.start,
            files: files.map { Entry(temporary: AtomicFile.resolved($0.temporary), path: AtomicFile.resolved($0.path), mode: Int($0.mode)) }
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(manifest)
        let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let path = folder + "/" + manifestPrefix + token + ".json"
        try AtomicFile.writeTemporary(data, at: path, for: path)
        AtomicFile.syncFolder(of: path)
        return path
    }

    /// Why an entry is not finished (nil when it may be).
    static func refusal(_ e: Entry) -> String? {
        guard e.temporary.hasPrefix("/"), e.path.hasPrefix("/") else { return "not an absolute path" }
        guard AtomicFile.folderOf(e.temporary) == AtomicFile.folderOf(e.path) else {
            return "its temporary file is not in the same folder"
        }
        guard AtomicFile.isTemporaryName(AtomicFile.nameOf(e.temporary), of: AtomicFile.nameOf(e.path)) else {
            return "its temporary file is not named as Mosaic names them"
        }
        guard e.mode == 0o600 || e.mode == 0o644 else { return "an unexpected file mode" }
        var s = stat()
        guard lstat(e.temporary, &s) == 0 else { return "its temporary file is gone" }
        guard (s.st_mode & S_IFMT) == S_IFREG else { return "its temporary file is not a regular file" }
        guard s.st_uid == getuid() else { return "its temporary file belongs to another user" }
        guard s.st_nlink == 1 else { return "its temporary file has other names" }
        return nil
    }

    /// Finishes the batches of dead processes whose files are in `folders` (every batch when
    /// nil). Returns what it did and what it left alone, for the user.
    @discardableResult
    public static func recover(folders: [String]? = nil) -> [String] {
        guard let state = try? StateFolder.path(create: false) else { return [] }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: state) else { return [] }
        let wanted = folders.map { Set($0.map { AtomicFile.folderOf(AtomicFile.resolved($0 + "/x")) }) }
        var notes: [String] = []
        for name in names.sorted() where name.hasPrefix(manifestPrefix) {
            let path = state + "/" + name
            var s = stat()
            guard lstat(path, &s) == 0, (s.st_mode & S_IFMT) == S_IFREG, s.st_uid == getuid() else { continue }
            guard let data = FileManager.default.contents(atPath: path), let manifest = try? JSONDecoder().decode(Manifest.self, from: data)
            else {
                // Only Mosaic writes here; an unreadable manifest is one cut short while it was written,
                // before any file of its batch was named.
                unlink(path)
                continue
            }
            let owner = ProcessIdentity(pid: manifest.pid, start: manifest.start)
            guard owner.pid > 0, !owner.start.isEmpty else {
                notes.append("ignored an interrupted-write journal that names no process (\(name)); nothing was moved")
                unlink(path)
                continue
            }
            if owner.isAlive && owner != ProcessIdentity.current { continue }
            if let wanted, !manifest.files.contains(where: { wanted.contains(AtomicFile.folderOf($0.path)) }) { continue }
            var finished: [String] = []
            for e in manifest.files {
                var t = stat()
                if lstat(e.temporary, &t) != 0 { continue }  // already named, or discarded
                if let why = refusal(e) {
                    notes.append("left alone \(Sanitize.line(e.temporary)): \(why)")
                    continue
                }
                if (try? AtomicFile.publish(temporary: e.temporary, to: e.path, mode: mode_t(e.mode))) != nil {
                    finished.append(e.path)
                } else {
                    notes.append("could not finish \(Sanitize.line(e.path)): a file is already there; its temporary copy is left as it is")
                }
            }
            unlink(path)
            if !finished.isEmpty {
                notes.append("finished an interrupted write: \(finished.map { Sanitize.line($0) }.joined(separator: ", "))")
            }
        }
        return notes
    }
}

/// The user's private folder for Mosaic's own state (the journal of interrupted writes):
/// `$MOSAIC_STATE_DIR`, else `$XDG_STATE_HOME/mosaic`, else `~/.local/state/mosaic`. Made with
/// mode 0700; used only when it is a real folder owned by the user that no one else can write.
public enum StateFolder {
    /// The folder's path, made if missing.
    ///
    /// - Throws: ``OutputError/cannotWrite(_:_:)`` when it cannot be made, or when it is a link,
    ///   belongs to another user, or others can read or write it.
    public static func path(create: Bool = true) throws -> String {
        let env = ProcessInfo.processInfo.environment
        let chosen: String
        if let given = env["MOSAIC_STATE_DIR"], !given.isEmpty {
            chosen = given
        } else if let xdg = env["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            chosen = xdg + "/mosaic"
        } else if let home = env["HOME"], home.hasPrefix("/") {
            chosen = home + "/.local/state/mosaic"
        } else {
            throw OutputError.cannotWrite("~/.local/state/mosaic", "no home folder is set (set MOSAIC_STATE_DIR)")
        }
        var path = chosen
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        var s = stat()
        if lstat(path, &s) != 0 {
            guard create else { throw OutputError.folderMissing(path) }
            try FileManager.default.createDirectory(atPath: AtomicFile.folderOf(path), withIntermediateDirectories: true)
            if mkdir(path, 0o700) != 0 && errno != EEXIST { throw OutputError.cannotWrite(path, AtomicFile.describe(errno)) }
            guard lstat(path, &s) == 0 else { throw OutputError.cannotWrite(path, AtomicFile.describe(errno)) }
        }
        guard (s.st_mode & S_IFMT) == S_IFDIR, s.st_uid == getuid(), s.st_mode & 0o077 == 0 else {
            throw OutputError.cannotWrite(
                path,
                "Mosaic's private state folder must be a folder of yours that only you can use (mode 0700); fix it or set MOSAIC_STATE_DIR")
        }
        return path
    }
}
