namespace Sfu.Core.Negotiation;

/// <summary>c=&lt;nettype&gt; &lt;addrtype&gt; &lt;connection-address&gt; (RFC 8866 §5.7), e.g. "IN IP4 203.0.113.5".</summary>
public sealed record ConnectionData(string NetworkType, string AddressType, string Address)
{
    /// <summary>Builds "IN IP4 a" or "IN IP6 a", telling the family by the presence of ':' in the address.</summary>
    public static ConnectionData ForAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new ConnectionData("IN", address.Contains(':', StringComparison.Ordinal) ? "IP6" : "IP4", address);
    }
}
