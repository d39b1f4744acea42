import { HubConnectionBuilder, LogLevel, type HubConnection } from '@microsoft/signalr';
import { HubEvents, HubMethods, HubPath, type RoomSummary } from './contracts';

/**
 * The lobby's live list of rooms: connects to the hub, asks for the list (WatchRooms) and
 * calls `onRooms` with every update the server pushes. Reconnects by itself and asks again.
 */
export class RoomListClient {
  private readonly hub: HubConnection;

  constructor(private readonly onRooms: (rooms: readonly RoomSummary[]) => void, hubUrl: string = HubPath) {
    this.hub = new HubConnectionBuilder().withUrl(hubUrl).withAutomaticReconnect().configureLogging(LogLevel.Warning).build();
    this.hub.on(HubEvents.roomsChanged, (rooms: RoomSummary[]) => this.onRooms(rooms));
    this.hub.onreconnected(() => void this.watch());
  }

  async start(): Promise<void> {
    await this.hub.start();
    await this.watch();
  }

  stop(): Promise<void> {
    return this.hub.stop();
  }

  private async watch(): Promise<void> {
    this.onRooms(await this.hub.invoke<RoomSummary[]>(HubMethods.watchRooms));
  }
}
