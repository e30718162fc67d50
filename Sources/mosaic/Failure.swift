import ArgumentParser
import Foundation
import GRDB
import MosaicCodebook
import MosaicFiles
import MosaicRelease
import MosaicStore

/// A refusal of input or state: exit code 1, with a message that says what and what to do.
///
/// The exit-code contract (README, pinned by CLI tests): 0 success; 1 refused input or state;
/// 64 wrong arguments (ArgumentParser's `ValidationError` and parse errors only).
struct Refusal: Error, LocalizedError {
    var message: String
    init(_ message: String) { self.message = message }
    var errorDescription: String? { message }
}

extension Mosaic {
    /// Runs the command and maps every error to the contract: no raw Foundation or SQLite text
    /// reaches the user, and only argument errors exit 64.
    static func main() {
        var command: ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do { try command.run() } catch { exit(withError: userFacing(error)) }
    }

    static func userFacing(_ error: Error) -> Error {
        // ArgumentParser's own errors (help, usage) keep their meaning and exit codes.
        if String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") { return error }
        switch error {
        case is ValidationError, is CleanExit, is ExitCode: return error
        case let e as DatabaseError:
            switch e.resultCode.primaryResultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED: return Refusal("the store is busy with another command; try again when it has finished")
            case .SQLITE_FULL: return Refusal("the disk is full: nothing was changed")
            case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN:
                return Refusal("the store cannot be written (permissions, or a read-only disk): nothing was changed")
            case .SQLITE_CORRUPT, .SQLITE_NOTADB:
                return Refusal("the store is damaged: run 'mosaic doctor', and restore it from a backup if that fails")
            default: return Refusal("the store refused the command (SQLite error \(e.resultCode.rawValue)): nothing was changed")
            }
        case is CocoaError, is POSIXError:
            let path =
                ((error as NSError).userInfo[NSFilePathErrorKey] as? String) ?? ((error as NSError).userInfo[NSURLErrorKey] as? URL)?.path
            return Refusal("\(path.map { "\($0): " } ?? "")a file could not be read or written (\(errnoText(error as NSError)))")
        case let e as LocalizedError:
            // Messages quote paths and text from files: never a control character on the terminal.
            return Refusal(Sanitize.message(e.errorDescription ?? "the command failed"))
        default: return Refusal("the command failed: \(String(describing: type(of: error)))")
        }
    }

    static func errnoText(_ e: NSError) -> String {
        switch (e as? CocoaError)?.code {
        case .fileNoSuchFile?, .fileReadNoSuchFile?: return "no such file"
        case .fileReadNoPermission?, .fileWriteNoPermission?: return "permission denied"
        case .fileWriteOutOfSpace?: return "the disk is full"
        case .fileWriteFileExists?: return "a file is already there"
        default: return "system error"
        }
    }
}

/// Finishes what a killed command left half-named in the folders of `paths` (from the journal
/// in the user's private state folder, never from a file in those folders), and says so on
/// standard error. Run before writing files without a store.
func finishInterruptedWrites(_ paths: [String]) {
    for note in WriteJournal.recover(folders: paths.map { AtomicFile.folderOf($0) }) { printError("mosaic: \(note)") }
}

extension StoreOptions {
    /// Opens the store, then finishes or undoes what an interrupted command left (and says so
    /// on standard error).
    func open() throws -> Store {
        let store = try Store.open(at: path)
        for note in try Recovery.run(store: store) { printError("mosaic: \(note.text)") }
        return store
    }
}

/// Parses a quarter argument, with a message that shows the form (exit 64 when it is wrong).
func parsePeriod(_ text: String) throws -> Period {
    guard let p = Period(text) else { throw ValidationError("a quarter is written YYYY-Qn, for example 2026-Q3") }
    return p
}

func parseSpan(_ text: String) throws -> PeriodSpan {
    guard let p = PeriodSpan(text), !p.isSingle else {
        throw ValidationError(
            "pooled quarters are written FIRST..LAST, for example 2025-Q4..2026-Q3 (the first before the last, at most \(PeriodSpan.maxQuarters) quarters); one quarter is --period"
        )
    }
    return p
}

extension Period: ExpressibleByArgument {
    /// Parses a command-line argument.
    public init?(argument: String) { self.init(argument) }
    /// How shells complete the value.
    public static var defaultCompletionKind: CompletionKind { .default }
}
