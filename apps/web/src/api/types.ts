/**
 * Named aliases for the OpenAPI component schemas the UI uses. Only the
 * schema names agreed in the contract are referenced here; everything else
 * (enums, item types) is derived from them.
 */
import type { components } from "./schema";

type Schemas = components["schemas"];

export type ErrorBody = Schemas["ErrorBody"];
export type User = Schemas["User"];
export type Role = User["role"];
export type LoginRequest = Schemas["LoginRequest"];
export type TokenPair = Schemas["TokenPair"];
export type CreateOrderRequest = Schemas["CreateOrderRequest"];
export type CreateOrderItem = CreateOrderRequest["items"][number];
export type Currency = CreateOrderRequest["currency"];
export type Order = Schemas["Order"];
export type OrderItem = Order["items"][number];
export type OrderStatus = Order["status"];
export type Reservation = Order["reservation"];
export type OrderSummary = Schemas["OrderSummary"];
export type OrderPage = Schemas["OrderPage"];
export type UpdateOrderStatusRequest = Schemas["UpdateOrderStatusRequest"];
/** The statuses a client may ask for (`paid` | `canceled`). */
export type TargetStatus = UpdateOrderStatusRequest["status"];
export type SkuStat = Schemas["SkuStat"];
export type SkuStatsPage = Schemas["SkuStatsPage"];
