/** Teams (docs/server/directory.md#teams): named groups of workers, created by trusted users. */
import { randomUUID } from "node:crypto";

export interface Team {
  id: string;
  name: string;
  info: string | null;
  ownerId: number;
  createdAt: number;
  /** What the team's image workers delivered while in it: megapixelsteps, jobs and kudos (whole). */
  contributions: number;
  fulfilled: number;
  kudos: number;
  /** Seconds of uptime its workers were rewarded for while in it. */
  uptime: number;
}

export class Teams {
  private byId = new Map<string, Team>();

  reset(): void {
    this.byId.clear();
  }

  create(input: Pick<Team, "name" | "info" | "ownerId">, now: number): Team {
    const team: Team = {
      ...input,
      id: randomUUID(),
      createdAt: now,
      contributions: 0,
      fulfilled: 0,
      kudos: 0,
      uptime: 0,
    };
    this.byId.set(team.id, team);
    return team;
  }

  find(id: string): Team | undefined {
    return this.byId.get(id.toLowerCase());
  }

  /** Team names are unique, compared case-insensitively. */
  findByName(name: string): Team | undefined {
    const wanted = name.toLowerCase();
    for (const t of this.byId.values()) if (t.name.toLowerCase() === wanted) return t;
    return undefined;
  }

  all(): Team[] {
    return [...this.byId.values()];
  }

  delete(team: Team): void {
    this.byId.delete(team.id);
  }

  /** An image job delivered by one of the team's workers (docs/server/directory.md#teams). */
  recordDelivery(teamId: string, megapixelsteps: number, kudos: number): void {
    const team = this.byId.get(teamId);
    if (!team) return;
    team.contributions = Math.round(team.contributions + megapixelsteps);
    team.fulfilled += 1;
    team.kudos = Math.round(team.kudos + kudos);
  }

  /** Uptime one of the team's workers was rewarded for. */
  recordUptime(teamId: string, seconds: number): void {
    const team = this.byId.get(teamId);
    if (team) team.uptime += seconds;
  }
}
