import { Link } from "react-router";
import { Compass } from "lucide-react";

import { EmptyState } from "@/components/states";
import { Button } from "@/components/ui/button";

export function NotFoundPage() {
  return (
    <EmptyState
      className="min-h-[60dvh]"
      icon={<Compass />}
      title="Page not found"
      description="The page you're looking for doesn't exist."
      action={
        <Button asChild variant="outline" size="sm">
          <Link to="/orders">Go to orders</Link>
        </Button>
      }
    />
  );
}
