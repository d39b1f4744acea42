using System.Net;
using Microsoft.Extensions.Logging;
using Sfu.Core.Diagnostics;
using Sfu.Core.Ice;
using Sfu.Core.Net;
using Sfu.Core.Stun;

namespace Sfu.Core.Sessions;

/// <summary>ICE for the transport: connectivity checks and restarts (RFC 8445).</summary>
public sealed partial class PeerTransport
{
    /// <summary>
    /// An ICE restart (RFC 8445 §9): the peer offered new credentials, so we answer with new
    /// ones of ours. DTLS and SRTP go on untouched and media keeps its path until the peer
    /// nominates another; checks with the ufrag from before are still answered until the next
    /// restart. Signaling side.
    /// </summary>
    public void RestartIce(string remoteUfrag, string remotePassword)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        IceCredentials local = _directory.IssueCredentials(this);
        string? retired;
        lock (_iceGate)
        {
            IceLiteAgent current = _ice ?? throw new InvalidOperationException("ICE restarts after the first offer or answer.");
            retired = PreviousLocalUfrag;
            PreviousLocalUfrag = LocalIce.Ufrag;
            LocalIce = local;
            RemoteUfrag = remoteUfrag;
            RemotePassword = remotePassword;
            _ice = current.Restart(local, remoteUfrag);
        }

        if (retired is not null)
        {
            _directory.RetireUfrag(retired, this);
        }

        LogIceRestart(_logger, local.Ufrag);
    }

    /// <summary>
    /// An ICE check routed here by USERNAME or by source address, that came over
    /// <paramref name="path"/> (the UDP port or an ICE-TCP connection); answered over the same
    /// path. True when it authenticated. Media path only (one thread at a time: its room's media gate).
    /// </summary>
    internal bool OnStun(in StunMessage message, SocketAddress source, IDatagramPath path)
    {
        IceLiteAgent? ice = _ice;
        if (ice is null)
        {
            _counters.Dropped(DropReason.NotReady);
            return false;
        }

        // The UDP port is the agent's default path (null); a TCP connection is named.
        IDatagramPath? checkedPath = ReferenceEquals(path, _port) ? null : path;
        IceSelection? before;
        IceSelection? selected;
        IceCheckOutcome outcome;
        int responseLength;
        lock (_iceGate)
        {
            ice = _ice!;
            before = ice.Selection;
            outcome = ice.ProcessBindingRequest(message, source, checkedPath, _stunResponse, out responseLength);
            selected = ice.Selection;
        }

        if (responseLength > 0)
        {
            path.SendTo(_stunResponse.AsSpan(0, responseLength), source, DatagramPriority.Control);
        }

        switch (outcome)
        {
            case IceCheckOutcome.Accepted:
            case IceCheckOutcome.Nominated:
                _counters.StunAnswered();
                break;
            case IceCheckOutcome.Unauthorized:
                _counters.Dropped(DropReason.StunUnauthorized);
                return false;
            default:
                _counters.Dropped(DropReason.Malformed);
                return false;
        }

        if (selected is not null && !ReferenceEquals(before, selected))
        {
            // Only UDP addresses route by source; a TCP connection knows its transport itself.
            if (selected.Path is null)
            {
                _directory.Bind(selected.Address, this);
            }

            LogSelected(_logger, (selected.Path ?? _port).Protocol);
            StartHandshake();
        }

        return true;
    }

    /// <summary>The agent's check that a datagram came over the selected pair; the UDP port is its unnamed path.</summary>
    private bool IsFromSelected(SocketAddress source, IDatagramPath path)
        => _ice is { } ice && ice.IsFromSelected(source, ReferenceEquals(path, _port) ? null : path);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "ICE selected a pair over {Protocol}")]
    private static partial void LogSelected(ILogger logger, TransportProtocol protocol);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "ICE restart: our new ufrag is {Ufrag}")]
    private static partial void LogIceRestart(ILogger logger, string ufrag);
}
