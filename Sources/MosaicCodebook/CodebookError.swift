import Foundation

/// Errors loading a codebook.
public enum CodebookError: Error, LocalizedError, Equatable {
    case unknownVersion(Int)
    case malformed(String)

    /// A message for people: what went wrong and, where it helps, what to do.
    public var errorDescription: String? {
        switch self {
        case .unknownVersion(let v):
            return
                "codebook version \(v) is not known to this build (known: \(Codebook.availableVersions.map(String.init).joined(separator: ", ")))"
        case .malformed(let why): return "the codebook file is malformed: \(why)"
        }
    }
}
