/**
 * PROVISIONAL — hand-written in the output shape of openapi-typescript from the
 * contract in SPEC §2–§4, §7, because apps/api/openapi.json does not describe
 * the auth/orders/stats endpoints yet. Replace it by running `npm run gen:api`
 * once the API snapshot has them; from then on the staleness test in
 * src/api/schema.test.ts enforces that this file is exactly the generator's
 * output.
 */

export interface paths {
    "/auth/register": {
        parameters: { query?: never; header?: never; path?: never; cookie?: never };
        get?: never;
        put?: never;
        post: {
            parameters: { query?: never; header?: never; path?: never; cookie?: never };
            requestBody: { content: { "application/json": components["schemas"]["RegisterRequest"] } };
            responses: {
                201: { headers: { [name: string]: unknown }; content: { "application/json": components["schemas"]["User"] } };
                403: components["responses"]["Error"];
                409: components["responses"]["Error"];
                422: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/login": {
        parameters: { query?: never; header?: never; path?: never; cookie?: never };
        get?: never;
        put?: never;
        post: {
            parameters: { query?: never; header?: never; path?: never; cookie?: never };
            requestBody: { content: { "application/json": components["schemas"]["LoginRequest"] } };
            responses: {
                200: { headers: { [name: string]: unknown }; content: { "application/json": components["schemas"]["TokenPair"] } };
                401: components["responses"]["Error"];
                422: components["responses"]["Error"];
                429: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/refresh": {
        parameters: { query?: never; header?: never; path?: never; cookie?: never };
        get?: never;
        put?: never;
        post: {
            parameters: { query?: never; header?: never; path?: never; cookie?: never };
            requestBody?: { content: { "application/json": components["schemas"]["RefreshRequest"] } };
            responses: {
                200: { headers: { [name: string]: unknown }; content: { "application/json": components["schemas"]["TokenPair"] } };
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/logout": {
        parameters: { query?: never; header?: never; path?: never; cookie?: never };
        get?: never;
        put?: never;
        post: {
            parameters: { query?: never; header?: never; path?: never; cookie?: never };
            requestBody?: { content: { "application/json": components["schemas"]["RefreshRequest"] } };
            responses: {
                204: { headers: { [name: string]: unknown }; content?: never };
                401: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me": {
        parameters: { query?: never; header?: never; path?: never; cookie?: never };
        get: {
            parameters: { query?: never; header?: never; path?: never; cookie?: never };
            requestBody?: never;
            responses: {
                200: { headers: { [name: string]: unknown }; content: { "application/json": components["schemas"]["User"] } };
                401: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/orders": {
        parameters: { query?: never; header?: never; path?: never; cookie?: never };
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                    status?: components["schemas"]["OrderStatus"];
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                200: { headers: { [name: string]: unknown }; content: { "application/json": components["schemas"]["OrderPage"] } };
                401: components["responses"]["Error"];
                422: components["responses"]["Error"];
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header: {
                    "Idempotency-Key": string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: { content: { "application/json": components["schemas"]["CreateOrderRequest"] } };
            responses: {
                200: { headers: { [name: string]: unknown }; content: { "application/json": components["schemas"]["Order"] } };
                201: { headers: { [name: string]: unknown }; content: { "application/json": components["schemas"]["Order"] } };
                400: components["responses"]["Error"];
                401: components["responses"]["Error"];
                409: components["responses"]["Error"];
                422: components["responses"]["Error"];
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/orders/{id}": {
        parameters: { query?: never; header?: never; path?: never; cookie?: never };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                200: { headers: { [name: string]: unknown }; content: { "application/json": components["schemas"]["Order"] } };
                401: components["responses"]["Error"];
                404: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/orders/{id}/status": {
        parameters: { query?: never; header?: never; path?: never; cookie?: never };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: { content: { "application/json": components["schemas"]["UpdateOrderStatusRequest"] } };
            responses: {
                200: { headers: { [name: string]: unknown }; content: { "application/json": components["schemas"]["Order"] } };
                401: components["responses"]["Error"];
                404: components["responses"]["Error"];
                409: components["responses"]["Error"];
                422: components["responses"]["Error"];
            };
        };
        trace?: never;
    };
    "/admin/orders": {
        parameters: { query?: never; header?: never; path?: never; cookie?: never };
        get: {
            parameters: {
                query?: {
                    user_id?: string;
                    status?: components["schemas"]["OrderStatus"];
                    limit?: number;
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                200: { headers: { [name: string]: unknown }; content: { "application/json": components["schemas"]["OrderPage"] } };
                401: components["responses"]["Error"];
                403: components["responses"]["Error"];
                422: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/stats/sku": {
        parameters: { query?: never; header?: never; path?: never; cookie?: never };
        get: {
            parameters: {
                query: {
                    from: string;
                    to: string;
                    sku?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                200: { headers: { [name: string]: unknown }; content: { "application/json": components["schemas"]["SkuStatsPage"] } };
                401: components["responses"]["Error"];
                403: components["responses"]["Error"];
                422: components["responses"]["Error"];
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        ErrorBody: {
            error: components["schemas"]["ErrorObject"];
        };
        ErrorObject: {
            code: string;
            message: string;
            request_id: string;
            details?: components["schemas"]["FieldError"][];
        };
        FieldError: {
            field: string;
            message: string;
        };
        /** @enum {string} */
        Role: "user" | "admin";
        /** @enum {string} */
        Currency: "HUF" | "EUR" | "USD";
        /** @enum {string} */
        OrderStatus: "created" | "paid" | "canceled";
        RegisterRequest: {
            email: string;
            password: string;
            role: components["schemas"]["Role"];
        };
        User: {
            /** Format: uuid */
            id: string;
            email: string;
            role: components["schemas"]["Role"];
            /** Format: date-time */
            created_at: string;
        };
        LoginRequest: {
            email: string;
            password: string;
        };
        TokenPair: {
            access_token: string;
            /** Format: int64 */
            access_expires_in: number;
            refresh_token: string;
            /** Format: int64 */
            refresh_expires_in: number;
        };
        RefreshRequest: {
            refresh_token?: string | null;
        };
        CreateOrderItem: {
            sku: string;
            /** Format: int32 */
            qty: number;
            /** Format: int64 */
            unit_price: number;
        };
        CreateOrderRequest: {
            currency: components["schemas"]["Currency"];
            items: components["schemas"]["CreateOrderItem"][];
        };
        OrderItem: {
            sku: string;
            /** Format: int32 */
            qty: number;
            /** Format: int64 */
            unit_price: number;
            /** Format: int64 */
            line_total: number;
        };
        Order: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            user_id: string;
            status: components["schemas"]["OrderStatus"];
            currency: components["schemas"]["Currency"];
            /** Format: int64 */
            total_amount: number;
            items: components["schemas"]["OrderItem"][];
            /** Format: date-time */
            created_at: string;
        };
        OrderSummary: {
            /** Format: uuid */
            id: string;
            status: components["schemas"]["OrderStatus"];
            currency: components["schemas"]["Currency"];
            /** Format: int64 */
            total_amount: number;
            /** Format: date-time */
            created_at: string;
        };
        OrderPage: {
            items: components["schemas"]["OrderSummary"][];
            next_cursor: string | null;
        };
        UpdateOrderStatusRequest: {
            status: components["schemas"]["OrderStatus"];
        };
        SkuStat: {
            sku: string;
            /** Format: date-time */
            window_start: string;
            /** Format: int64 */
            qty_sum: number;
            /** Format: int64 */
            revenue_sum: number;
        };
        SkuStatsPage: {
            items: components["schemas"]["SkuStat"][];
        };
    };
    responses: {
        /** @description Uniform error body (SPEC §2) */
        Error: {
            headers: { [name: string]: unknown };
            content: { "application/json": components["schemas"]["ErrorBody"] };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
