namespace Sfu.Core.Negotiation;

/// <summary>Direction of an a=rid line (RFC 8851 §4): the stream the rid restricts is sent or received by the writer.</summary>
public enum RidDirection
{
    Send,
    Recv,
}
