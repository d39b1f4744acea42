namespace Sfu.Core.Negotiation;

/// <summary>
/// The direction attributes a=sendrecv / a=sendonly / a=recvonly / a=inactive (RFC 8866 §6.7),
/// always from the point of view of the side that wrote the description.
/// </summary>
public enum MediaDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}
