using System.Net;
using Microsoft.Extensions.Options;

namespace Sfu.Host.Admin;

/// <summary>
/// Slows down key guessing per source address: after <see cref="AdminOptions.FreeAttempts"/>
/// wrong keys, each further one makes the address wait twice as long as the last (from
/// <see cref="AdminOptions.BackoffSeconds"/> up to <see cref="AdminOptions.MaxBackoffSeconds"/>),
/// and while it waits every key it presents, right or wrong, is answered 429 with Retry-After
/// unchecked. A right key ends the count. IPv6 sources count by /64 (one host's usual share).
/// The table is bounded: addresses that wait no more are dropped first.
/// </summary>
public sealed class AdminBackoff(IOptions<AdminOptions> options, TimeProvider time)
{
    public const int MaxAddresses = 10_000;

    private readonly Dictionary<IPAddress, Entry> _entries = [];
    private readonly Lock _gate = new();
    private readonly AdminOptions _options = options.Value;

    /// <summary>How long the address must still wait, or null when it may present a key now.</summary>
    public TimeSpan? RetryAfter(IPAddress? address)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(Source(address), out Entry? entry))
            {
                TimeSpan left = entry.BlockedUntil - time.GetUtcNow();
                return left > TimeSpan.Zero ? left : null;
            }

            return null;
        }
    }

    /// <summary>The address presented a wrong key.</summary>
    public void Failed(IPAddress? address)
    {
        IPAddress source = Source(address);
        lock (_gate)
        {
            if (!_entries.TryGetValue(source, out Entry? entry))
            {
                if (_entries.Count >= MaxAddresses)
                {
                    Prune();
                }

                entry = new Entry();
                _entries[source] = entry;
            }

            entry.Failures++;
            int over = entry.Failures - _options.FreeAttempts;
            if (over > 0)
            {
                double seconds = Math.Min(_options.MaxBackoffSeconds, _options.BackoffSeconds * Math.Pow(2, Math.Min(over - 1, 30)));
                entry.BlockedUntil = time.GetUtcNow() + TimeSpan.FromSeconds(seconds);
            }
        }
    }

    /// <summary>The address presented the right key.</summary>
    public void Succeeded(IPAddress? address)
    {
        lock (_gate)
        {
            _entries.Remove(Source(address));
        }
    }

    private static IPAddress Source(IPAddress? address)
    {
        if (address is null)
        {
            return IPAddress.None;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            byte[] bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes);
        }

        return address;
    }

    /// <summary>Drops the addresses not waiting now; if all are, the table is full of guessers and the oldest go.</summary>
    private void Prune()
    {
        DateTimeOffset now = time.GetUtcNow();
        foreach ((IPAddress address, Entry entry) in _entries)
        {
            if (entry.BlockedUntil <= now)
            {
                _entries.Remove(address);
            }
        }

        while (_entries.Count >= MaxAddresses)
        {
            _entries.Remove(_entries.MinBy(e => e.Value.BlockedUntil).Key);
        }
    }

    private sealed class Entry
    {
        public int Failures { get; set; }

        public DateTimeOffset BlockedUntil { get; set; } = DateTimeOffset.MinValue;
    }
}
