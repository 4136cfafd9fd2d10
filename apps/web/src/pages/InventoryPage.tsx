import { Link } from "react-router";
import { ShieldAlert } from "lucide-react";

import { useAuth } from "@/auth/context";
import { PageHeader } from "@/components/page-header";
import { EmptyState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { InventoryAdmin } from "@/features/inventory/InventoryAdmin";

export function InventoryPage() {
  const { user } = useAuth();
  if (user?.role !== "admin") {
    return (
      <div className="space-y-6">
        <PageHeader title="Inventory" />
        <Card data-testid="inventory-admin-only">
          <EmptyState
            icon={<ShieldAlert />}
            title="Inventory is for administrators"
            description="Stock levels and restocking are only available to admin accounts."
            action={
              <Button variant="outline" size="sm" asChild>
                <Link to="/orders">Go to your orders</Link>
              </Button>
            }
          />
        </Card>
      </div>
    );
  }
  return <InventoryAdmin />;
}
