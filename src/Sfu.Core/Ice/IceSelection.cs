using System.Net;
using Sfu.Core.Net;

namespace Sfu.Core.Ice;

/// <summary>
/// The selected candidate pair of an ICE-lite agent as media uses it: where to send
/// (<paramref name="Address"/>, a copy no receive buffer reuses) and over what
/// (<paramref name="Path"/>: the TCP connection the checks came on, or null for the port
/// the agent's owner sends through).
/// </summary>
public sealed record IceSelection(SocketAddress Address, IDatagramPath? Path);
