import { useAuth } from "@/auth/context";
import { AdminOnly } from "@/components/admin-only";
import { PipelineDashboard } from "@/features/pipeline/PipelineDashboard";

export function PipelinePage() {
  const { user } = useAuth();
  if (user?.role !== "admin") {
    return (
      <AdminOnly
        title="Pipeline"
        heading="The pipeline status is for administrators"
        description="Outbox, consumer-lag and stream-job figures are only available to admin accounts."
        testId="pipeline-admin-only"
      />
    );
  }
  return <PipelineDashboard />;
}
