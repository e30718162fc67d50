import Foundation

/// Why a query was refused (a problem with the question; problems with a file are
/// `ReleaseFileError`s).
public enum QueryError: Error, LocalizedError, Equatable {
    case invalid(String)

    public var errorDescription: String? {
        switch self {
        case .invalid(let why): return why
        }
    }
}
