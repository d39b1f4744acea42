using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Sfu.Core.Net;

/// <summary>
/// Up to <see cref="Capacity"/> datagrams from one socket in one <c>recvmmsg(2)</c>, into slots
/// of <see cref="SlotSize"/> bytes allocated once. A media thread waits for the first datagram
/// and takes what is queued behind it (<c>MSG_WAITFORONE</c>); the load tool's counting
/// subscribers drain hundreds of sockets from one thread without waiting. Linux on 64-bit only.
/// </summary>
/// <remarks>
/// All native memory (slots, addresses, <c>iovec</c> and <c>mmsghdr</c> arrays) is allocated
/// once; receiving allocates nothing. Only one thread at a time may use an instance: the slots
/// of one call are overwritten by the next.
/// </remarks>
internal sealed unsafe partial class LinuxDatagramReceiver : IDisposable
{
    /// <summary>Larger than any datagram a WebRTC peer sends (path MTU ~1500).</summary>
    public const int SlotSize = UdpMediaPort.ReceiveBufferSize;

    /// <summary>The kernel takes at most this many messages per call (UIO_MAXIOV).</summary>
    public const int MaxCapacity = 1024;

    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENOSYS = 38;

    // recvmmsg flags (linux/socket.h).
    private const int MsgDontWait = 0x40;
    private const int MsgWaitForOne = 0x10000;

    private readonly MessageSlots _slots;
    private readonly IoVec* _iov;
    private readonly MMsgHdr* _messages;
    private bool _disposed;

    private LinuxDatagramReceiver(int capacity)
    {
        Capacity = capacity;
        _slots = new MessageSlots(capacity, SlotSize);
        _iov = _slots.Iov;
        _messages = _slots.Messages;
    }

    public static bool IsSupported => LinuxDatagramBatch.IsSupported;

    /// <summary>Datagrams one <see cref="Receive"/> takes at most.</summary>
    public int Capacity { get; }

    /// <summary>A receiver of <paramref name="capacity"/> slots; null where <c>recvmmsg</c> is not available.</summary>
    public static LinuxDatagramReceiver? TryCreate(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCapacity);
        return IsSupported ? new LinuxDatagramReceiver(capacity) : null;
    }

    /// <summary>
    /// Receives up to <see cref="Capacity"/> datagrams: with <paramref name="wait"/>, blocks
    /// until one is queued and takes it with those queued behind it; without, takes only what
    /// is queued. Returns how many (at least 1), or the negated <c>errno</c> of the call
    /// (<see cref="EAGAIN"/> when nothing was queued and it did not wait).
    /// </summary>
    public int Receive(SafeSocketHandle socket, bool wait)
    {
        for (int i = 0; i < Capacity; i++)
        {
            // The kernel writes back the address length and the flags: reset them for every call.
            _messages[i].Header.NameLength = MessageSlots.AddressSlotSize;
            _messages[i].Header.Flags = 0;
        }

        int received = ReceiveMultipleMessages(socket, _messages, (uint)Capacity, wait ? MsgWaitForOne : MsgDontWait, null);
        return received >= 0 ? received : -Marshal.GetLastPInvokeError();
    }

    /// <summary>Datagram <paramref name="index"/> of the last <see cref="Receive"/>: its first <see cref="SlotSize"/> bytes when it was longer.</summary>
    public Span<byte> Datagram(int index) => new(_iov[index].Base, (int)Math.Min(_messages[index].Length, SlotSize));

    /// <summary>
    /// Copies the source address of datagram <paramref name="index"/> into
    /// <paramref name="address"/>: the native sockaddr bytes, as <see cref="SocketAddress"/>
    /// holds them and as <c>recvfrom</c> would have written them.
    /// </summary>
    public void CopySource(int index, SocketAddress address)
    {
        int length = (int)Math.Min(_messages[index].Header.NameLength, (uint)address.Buffer.Length);
        new ReadOnlySpan<byte>(_messages[index].Header.Name, length).CopyTo(address.Buffer.Span);
        address.Size = length;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _slots.Free();
    }

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    private static partial int ReceiveMultipleMessages(SafeSocketHandle socket, MMsgHdr* messages, uint count, int flags, void* timeout);
}
