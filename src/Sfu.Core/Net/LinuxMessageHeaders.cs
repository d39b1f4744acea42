using System.Runtime.InteropServices;

namespace Sfu.Core.Net;

// struct iovec, struct msghdr and struct mmsghdr of the LP64 Linux ABI, as sendmmsg(2) and
// recvmmsg(2) take them. One definition for every batched socket call here and in the tools.

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVec
{
    public byte* Base;
    public nuint Length;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MsgHdr
{
    public byte* Name;
    public uint NameLength;
    public IoVec* Iov;
    public nuint IovLength;
    public void* Control;
    public nuint ControlLength;
    public int Flags;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MMsgHdr
{
    public MsgHdr Header;
    public uint Length;
}

/// <summary>
/// The native memory one batched socket call works on, allocated once and wired once: a
/// payload slot, an address slot, an <c>iovec</c> and an <c>mmsghdr</c> per message, each
/// header pointing at its own slots. Shared by the send batch and the receiver; the owner
/// frees it exactly once.
/// </summary>
internal readonly unsafe struct MessageSlots
{
    /// <summary>sockaddr_in6 is 28 bytes, the largest address a UDP socket of ours can hold.</summary>
    public const int AddressSlotSize = 32;

    public readonly byte* Payloads;
    public readonly byte* Addresses;
    public readonly IoVec* Iov;
    public readonly MMsgHdr* Messages;

    /// <param name="capacity">Messages.</param>
    /// <param name="slotSize">Bytes of each payload slot; every iovec starts at its full size.</param>
    public MessageSlots(int capacity, int slotSize)
    {
        Payloads = (byte*)NativeMemory.AlignedAlloc((nuint)(slotSize * capacity), 64);
        Addresses = (byte*)NativeMemory.AllocZeroed((nuint)(AddressSlotSize * capacity));
        Iov = (IoVec*)NativeMemory.AllocZeroed((nuint)(sizeof(IoVec) * capacity));
        Messages = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(sizeof(MMsgHdr) * capacity));
        for (int i = 0; i < capacity; i++)
        {
            Iov[i].Base = Payloads + (i * slotSize);
            Iov[i].Length = (nuint)slotSize;
            Messages[i].Header.Name = Addresses + (i * AddressSlotSize);
            Messages[i].Header.Iov = &Iov[i];
            Messages[i].Header.IovLength = 1;
        }
    }

    public void Free()
    {
        NativeMemory.AlignedFree(Payloads);
        NativeMemory.Free(Addresses);
        NativeMemory.Free(Iov);
        NativeMemory.Free(Messages);
    }
}
