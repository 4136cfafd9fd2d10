import { Link } from "react-router";
import { ShieldAlert } from "lucide-react";

import { PageHeader } from "@/components/page-header";
import { EmptyState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";

/** What a non-admin sees on an admin page. */
export function AdminOnly({
  title,
  heading,
  description,
  testId,
}: {
  title: string;
  heading: string;
  description: string;
  testId: string;
}) {
  return (
    <div className="space-y-6">
      <PageHeader title={title} />
      <Card data-testid={testId}>
        <EmptyState
          icon={<ShieldAlert />}
          title={heading}
          description={description}
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
