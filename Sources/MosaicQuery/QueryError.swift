import Foundation

/// Why a query was refused (a problem with the question; problems with a file are
/// `ReleaseFileError`s).
public enum QueryError: Error, LocalizedError, Equatable {
    case invalid(String)

    /// A message for people: what went wrong and, where it helps, what to do.
    public var errorDescription: String? {
        switch self {
        case .invalid(let why): return why
        }
    }
}
