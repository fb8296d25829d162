import { nanoToUsd, usdToNano } from './cost.ts';

/**
 * The account: one balance for every key (Runware keys belong to one account). Accepting a task reserves
 * the price of all its generations (402 when the balance cannot cover it); each generation that completes
 * turns its share into a charge; a generation that fails releases its share. Integer nano-USD throughout.
 */
export class Ledger {
  private balanceNano: number;
  private reservedNano = 0;
  private chargedNano = 0;
  private chargeCount = 0;
  private readonly initialNano: number;

  constructor(initialBalanceUsd: number) {
    this.initialNano = usdToNano(initialBalanceUsd);
    this.balanceNano = this.initialNano;
  }

  /** Balance not yet reserved, in nano-USD. */
  availableNano(): number {
    return this.balanceNano - this.reservedNano;
  }

  reserve(nano: number): boolean {
    if (nano > this.availableNano()) return false;
    this.reservedNano += nano;
    return true;
  }

  charge(nano: number): void {
    this.reservedNano = Math.max(0, this.reservedNano - nano);
    this.balanceNano -= nano;
    this.chargedNano += nano;
    this.chargeCount += 1;
  }

  release(nano: number): void {
    this.reservedNano = Math.max(0, this.reservedNano - nano);
  }

  setBalance(usd: number): void {
    this.balanceNano = usdToNano(usd);
  }

  reset(): void {
    this.balanceNano = this.initialNano;
    this.reservedNano = 0;
    this.chargedNano = 0;
    this.chargeCount = 0;
  }

  snapshot(): { balance: number; reserved: number; charged: number; charges: number } {
    return {
      balance: nanoToUsd(this.balanceNano),
      reserved: nanoToUsd(this.reservedNano),
      charged: nanoToUsd(this.chargedNano),
      charges: this.chargeCount,
    };
  }
}
