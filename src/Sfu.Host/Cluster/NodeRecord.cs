namespace Sfu.Host.Cluster;

/// <summary>
/// One node as the directory shows it: where to reach it (HTTP for pages and signaling, the
/// media address for ICE) and its load at its last heartbeat. <see cref="Capacity"/> is the
/// participants it admits (0: no limit); <see cref="Cpu"/> is percent of all cores.
/// <see cref="Relay"/> is its relay port ("address:port") and <see cref="RelayFingerprint"/>
/// its certificate's fingerprint ("sha-256 AB:CD:..."), which the other nodes pin.
/// </summary>
public sealed record NodeRecord(string Id, string Url, string MediaAddress, int Participants, int Tracks, double Cpu, int Capacity, string Relay = "", string RelayFingerprint = "")
{
    public bool HasRoom => Capacity == 0 || Participants < Capacity;
}
