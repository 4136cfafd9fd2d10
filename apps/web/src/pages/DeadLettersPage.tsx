import { useAuth } from "@/auth/context";
import { AdminOnly } from "@/components/admin-only";
import { DeadLetterConsole } from "@/features/dead-letters/DeadLetterConsole";
import { DeadOutboxRows } from "@/features/pipeline/DeadOutboxRows";

export function DeadLettersPage() {
  const { user } = useAuth();
  if (user?.role !== "admin") {
    return (
      <AdminOnly
        title="Dead letters"
        heading="The dead-letter console is for administrators"
        description="Browsing, redriving and discarding dead letters is only available to admin accounts."
        testId="dead-letters-admin-only"
      />
    );
  }
  return (
    <DeadLetterConsole>
      <DeadOutboxRows />
    </DeadLetterConsole>
  );
}
