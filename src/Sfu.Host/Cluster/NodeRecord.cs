namespace Sfu.Host.Cluster;

/// <summary>
/// One node as the directory shows it: where to reach it (HTTP for pages and signaling, the
/// media address for ICE) and its load at its last heartbeat. <see cref="Capacity"/> is the
/// participants it admits (0: no limit); <see cref="Cpu"/> is percent of all cores.
/// </summary>
public sealed record NodeRecord(string Id, string Url, string MediaAddress, int Participants, int Tracks, double Cpu, int Capacity)
{
    public bool HasRoom => Capacity == 0 || Participants < Capacity;
}
