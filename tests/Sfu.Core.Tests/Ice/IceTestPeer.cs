using System.Net;
using Sfu.Core.Ice;
using Sfu.Core.Stun;

namespace Sfu.Core.Tests.Ice;

/// <summary>Fixed credentials and request builders shared by the ICE tests.</summary>
internal static class IceTestPeer
{
    public static readonly IceCredentials Server = new("srvUfrag", "serverPasswordserverPassword");
    public static readonly IceCredentials Browser = new("brws", "browserPasswordbrowserPa");
    public static readonly byte[] TransactionId = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

    public static SocketAddress Address(string ip, int port) => new IPEndPoint(IPAddress.Parse(ip), port).Serialize();

    public static IPEndPoint ToEndPoint(SocketAddress address) => (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(address);

    /// <summary>A browser's check to the server, signed with the server's password.</summary>
    public static byte[] Check(bool useCandidate = false)
    {
        var buffer = new byte[IceBindingRequestBuilder.MaxLength];
        int length = IceBindingRequestBuilder.Write(buffer, TransactionId, Browser, Server, 0x6e0001ff, 0x1122334455667788, useCandidate);
        return buffer[..length];
    }

    /// <summary>A hand-built request for the negative cases.</summary>
    public static byte[] Custom(
        string? username,
        string? password,
        bool useCandidate = false,
        bool controlled = false,
        StunClass messageClass = StunClass.Request,
        bool corruptFingerprint = false,
        uint priority = 0x6e0001ff)
    {
        var buffer = new byte[512];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, messageClass, TransactionId);
        if (username is not null)
        {
            writer.AddUsername(username);
        }

        writer.AddPriority(priority);
        if (controlled)
        {
            writer.AddIceControlled(42);
        }
        else
        {
            writer.AddIceControlling(42);
        }

        if (useCandidate)
        {
            writer.AddUseCandidate();
        }

        if (password is not null)
        {
            writer.AddMessageIntegrity(System.Text.Encoding.ASCII.GetBytes(password));
        }

        writer.AddFingerprint();
        byte[] bytes = buffer[..writer.Length];
        if (corruptFingerprint)
        {
            bytes[^1] ^= 0xFF;
        }

        return bytes;
    }
}
